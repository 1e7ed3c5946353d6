// penumbra-prof plot: four SVG charts of a run (load heat map, predicted vs actual, imbalance, migrations).
#include <fmt/format.h>

#include "charts.hpp"
#include "commands.hpp"
#include "penumbra/errors.hpp"
#include "stats.hpp"

namespace penumbra::prof {

std::vector<std::filesystem::path> write_plots(const trace::Trace& trace, const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw Error(fmt::format("cannot create {}: {}", dir.string(), error.message()));

  std::vector<double> x;
  std::vector<EpochStats> stats;
  for (const auto& record : trace.epochs) {
    x.push_back(static_cast<double>(record.epoch));
    stats.push_back(epoch_stats(record));
  }
  const auto column = [&](auto member) {
    std::vector<double> values;
    for (const auto& s : stats) values.push_back(static_cast<double>(member(s)));
    return values;
  };
  const std::string run = trace.header.run_name;
  std::vector<std::filesystem::path> written;
  const auto save = [&](const SvgDocument& svg, const char* name) {
    written.push_back(dir / name);
    svg.save(written.back());
  };

  std::vector<std::vector<double>> load(static_cast<std::size_t>(trace.header.ranks));
  for (const auto& record : trace.epochs)
    for (std::size_t rank = 0; rank < record.ranks.size(); ++rank) load[rank].push_back(record.ranks[rank].actual_load);
  save(heat_map(fmt::format("{}: actual load per rank and epoch (s)", run), "rank", x, load), "load_heatmap.svg");

  save(line_chart(fmt::format("{}: predicted vs actual load", run), "seconds of work", x,
                  {{"max predicted", "#d62728", column([](const EpochStats& s) { return s.predicted_max; }), "6 3"},
                   {"max actual", "#d62728", column([](const EpochStats& s) { return s.actual_max; }), ""},
                   {"mean predicted", "#1f77b4", column([](const EpochStats& s) { return s.predicted_mean; }), "6 3"},
                   {"mean actual", "#1f77b4", column([](const EpochStats& s) { return s.actual_mean; }), ""}}),
       "predicted_vs_actual.svg");

  save(line_chart(fmt::format("{}: imbalance (max / mean load)", run), "max / mean", x,
                  {{"actual", "#2ca02c", column([](const EpochStats& s) { return s.imbalance; }), ""},
                   {"planned", "#9467bd", column([](const EpochStats& s) { return s.projected_imbalance; }), "6 3"}}),
       "imbalance.svg");

  std::vector<std::string> tooltips;
  for (const auto& s : stats)
    tooltips.push_back(fmt::format("epoch {}: {} moves, {} bytes", s.epoch, s.moves, s.bytes));
  save(bar_chart(fmt::format("{}: migrations per epoch", run), "objects moved", x,
                 {"moves", "#ff7f0e", column([](const EpochStats& s) { return s.moves; }), ""}, tooltips),
       "migrations.svg");
  return written;
}

}  // namespace penumbra::prof
