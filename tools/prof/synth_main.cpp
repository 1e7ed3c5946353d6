// penumbra-trace-synth: writes a synthetic epoch trace (tools/prof/synthetic.hpp) for tests and demos.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "penumbra/errors.hpp"
#include "synthetic.hpp"

int main(int argc, char** argv) {
  CLI::App app{"penumbra-trace-synth: write a synthetic Penumbra epoch trace"};
  penumbra::prof::SyntheticSpec spec;
  std::string out;
  app.add_option("--out", out, "folder for the trace")->required();
  app.add_option("--run-name", spec.run_name, "file name stem")->capture_default_str();
  app.add_option("--ranks", spec.ranks, "ranks")->capture_default_str();
  app.add_option("--nodes", spec.nodes, "nodes")->capture_default_str();
  app.add_option("--epochs", spec.epochs, "epochs")->capture_default_str();
  app.add_option("--objects", spec.objects, "objects")->capture_default_str();
  app.add_option("--seed", spec.seed, "random seed")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    fmt::print("{}\n", penumbra::prof::write_synthetic_trace(out, spec).string());
  } catch (const penumbra::Error& error) {
    fmt::print(stderr, "penumbra-trace-synth: {}\n", error.what());
    return 1;
  }
}
