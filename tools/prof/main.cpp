// penumbra-prof: reads Penumbra epoch traces (docs/trace-format.md) and summarises, compares, plots, exports
// (Perfetto JSON, OTF2) and replays them. Exit status: 0 done, 1 the trace or an output is bad (the message
// names the file, line and field), 2 usage error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "load.hpp"
#include "penumbra/errors.hpp"
#include "progress.hpp"
#include "replay.hpp"
#include "replay_strategy.hpp"

namespace {

using namespace penumbra;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  bool progress = false;
  std::string trace, other, out, strategy;
  bool perfetto = false, otf2 = false;
};

int run(CLI::App& app, const Options& o) {
  const auto load = [&](const std::string& path) { return prof::load_trace(path, o.progress); };
  if (app.got_subcommand("summary")) {
    prof::print_summary(load(o.trace), stdout);
  } else if (app.got_subcommand("compare")) {
    prof::print_compare(load(o.trace), load(o.other), stdout);
  } else if (app.got_subcommand("plot")) {
    for (const auto& file : prof::write_plots(load(o.trace), o.out)) fmt::print("wrote {}\n", file.string());
  } else if (app.got_subcommand("export")) {
    if (o.perfetto == o.otf2) {
      fmt::print(stderr, "penumbra-prof export: give exactly one of --perfetto or --otf2\n");
      return kExitUsage;
    }
    const auto trace = load(o.trace);
    if (o.perfetto) {
      prof::export_perfetto(trace, o.out);
      fmt::print("wrote {} (open in https://ui.perfetto.dev or chrome://tracing)\n", o.out);
    } else {
      fmt::print("wrote {} (read with otf2-print or Vampir)\n", prof::export_otf2(trace, o.out).string());
    }
  } else if (app.got_subcommand("replay")) {
    const auto trace = load(o.trace);
    const auto chosen = prof::strategy_for_replay(o.strategy, trace.header);
    prof::ProgressBar bar("replaying", o.progress);
    const auto rows =
        prof::replay(trace, *chosen.strategy, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
    bar.finish();
    fmt::print("{} uses {}\n", chosen.strategy->name(), chosen.options_source);
    prof::print_replay(trace, chosen.strategy->name(), rows, stdout);
    for (const auto& row : rows)
      if (!row.error.empty()) return kExitFailure;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"penumbra-prof: summaries, comparisons, plots, exports and replays of Penumbra epoch traces"};
  app.require_subcommand(1);
  Options o;
  app.add_flag("--progress", o.progress, "show a progress bar even when stderr is not a terminal");

  auto* summary = app.add_subcommand("summary", "one row per epoch, then totals");
  summary->add_option("TRACE", o.trace, "trace file (*.penumbra-trace.jsonl)")->required();
  auto* compare = app.add_subcommand("compare", "two runs side by side");
  compare->add_option("A", o.trace, "first trace")->required();
  compare->add_option("B", o.other, "second trace")->required();
  auto* plot = app.add_subcommand("plot", "SVG charts: load heat map, predicted vs actual, imbalance, migrations");
  plot->add_option("TRACE", o.trace, "trace file")->required();
  plot->add_option("--out", o.out, "folder for the SVG files")->required();
  auto* exporter = app.add_subcommand("export", "convert to Perfetto/Chrome JSON or to an OTF2 archive");
  exporter->add_flag("--perfetto", o.perfetto, "Chrome trace-event JSON; --out is a file");
  exporter->add_flag("--otf2", o.otf2, "OTF2 archive; --out is a folder");
  exporter->add_option("TRACE", o.trace, "trace file")->required();
  exporter->add_option("--out", o.out, "output file (--perfetto) or folder (--otf2)")->required();
  auto* replay = app.add_subcommand("replay", "re-plan every recorded epoch with another strategy");
  replay->add_option("--strategy", o.strategy, "strategy name (balance.strategy values)")->required();
  replay->add_option("TRACE", o.trace, "trace file")->required();
  for (auto* sub : {summary, compare, plot, exporter, replay})
    sub->add_flag("--progress", o.progress, "show a progress bar even when stderr is not a terminal");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    return run(app, o);
  } catch (const penumbra::InvalidArgument& error) {  // an unknown strategy name is a usage error
    fmt::print(stderr, "penumbra-prof: {}\n", error.what());
    return kExitUsage;
  } catch (const std::exception& error) {  // TraceError (file, line, field), I/O, OTF2
    fmt::print(stderr, "penumbra-prof: {}\n", error.what());
    return kExitFailure;
  }
}
