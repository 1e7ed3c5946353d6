// penumbra-prof summary: the per-epoch table and the run's totals.
#include <fmt/format.h>

#include "commands.hpp"
#include "stats.hpp"
#include "text_format.hpp"

namespace penumbra::prof {

void print_summary(const trace::Trace& trace, std::FILE* out) {
  const auto& header = trace.header;
  fmt::print(out, "run {}: {} ranks on {} nodes, strategy {}, started {}, {} epochs\n", header.run_name, header.ranks,
             header.nodes, header.strategy, header.start_time, trace.epochs.size());
  fmt::print(out,
             "loads in seconds of work per epoch interval; err = sum|pred - act| / sum act; imb = max/mean act\n\n");
  fmt::print(out,
             "{:>6} {:<9} {:>9} {:>9} {:>9} {:>9} {:>5} {:>6} {:>5} {:>7} {:>9} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
             "epoch", "trigger", "pred max", "pred mean", "act max", "act mean", "imb", "err%", "moves", "bytes",
             "shadows", "hit%", "snap ms", "pred ms", "plan ms", "move ms", "meta ms");
  std::vector<EpochStats> all;
  for (const auto& record : trace.epochs) {
    const EpochStats e = epoch_stats(record);
    all.push_back(e);
    fmt::print(out,
               "{:>6} {:<9} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>5.2f} {:>6} {:>5} {:>7} {:>9} {:>6} {:>8.3f} "
               "{:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f}\n",
               e.epoch, trace::to_string(e.trigger), e.predicted_max, e.predicted_mean, e.actual_max, e.actual_mean,
               e.imbalance, percent_or_dash(e.prediction_error), e.moves, bytes_text(e.bytes),
               fmt::format("+{}/-{}", e.shadows_created, e.shadows_dropped), hit_rate(e.shadow_hits, e.shadow_misses),
               ms(e.phase_seconds[0]), ms(e.phase_seconds[1]), ms(e.phase_seconds[2]), ms(e.phase_seconds[3]),
               ms(e.phase_seconds[4]));
  }
  const RunTotals t = run_totals(all);
  fmt::print(out, "\ntotals: {} epochs, {} moves, {} bytes moved, shadows +{}/-{}, shadow hit rate {}%\n", t.epochs,
             t.moves, bytes_text(t.bytes), t.shadows_created, t.shadows_dropped,
             hit_rate(t.shadow_hits, t.shadow_misses));
  fmt::print(out, "        mean imbalance {:.3f}, mean prediction error {}% (over {} epochs with a forecast)\n",
             t.mean_imbalance,
             t.epochs_with_error ? fmt::format("{:.1f}", 100 * t.mean_prediction_error) : std::string("-"),
             t.epochs_with_error);
  fmt::print(
      out,
      "        time in epochs {:.3f} ms: snapshot {:.3f}, predict {:.3f}, plan {:.3f}, move {:.3f}, metadata {:.3f}\n",
      ms(t.epoch_seconds), ms(t.phase_seconds[0]), ms(t.phase_seconds[1]), ms(t.phase_seconds[2]),
      ms(t.phase_seconds[3]), ms(t.phase_seconds[4]));
}

}  // namespace penumbra::prof
