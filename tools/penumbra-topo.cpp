// penumbra-topo: where every rank runs and how close every pair of ranks is, as Penumbra sees it.
//
//   mpiexec -n 4 build/bin/penumbra-topo [--json] [--latency] [--samples N]
//   PENUMBRA_VIRTUAL_NODES=2 mpiexec -n 4 build/bin/penumbra-topo --json
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <penumbra/penumbra.hpp>

#include "monitor/papi_probe.hpp"

namespace {

std::string index_text(int index) { return index < 0 ? "-" : std::to_string(index); }

nlohmann::json to_json(const penumbra::Topology& topology, const penumbra::monitor::CounterSupport& papi) {
  nlohmann::json json{{"ranks", topology.rank_count()}, {"nodes", topology.node_count()}};
  for (const auto& p : topology.placements())
    json["placements"].push_back({{"rank", p.rank},
                                  {"node", p.node},
                                  {"host", p.host},
                                  {"local_rank", p.local_rank},
                                  {"package", p.package},
                                  {"numa", p.numa},
                                  {"cache", p.cache},
                                  {"core", p.core},
                                  {"bound", p.bound},
                                  {"cpuset", p.cpuset},
                                  {"last_cpu", p.last_cpu}});
  json["proximity"] = nlohmann::json::array();
  json["latency_us"] = topology.has_latency() ? nlohmann::json::array() : nlohmann::json(nullptr);
  for (int a = 0; a < topology.rank_count(); ++a) {
    nlohmann::json classes = nlohmann::json::array(), latencies = nlohmann::json::array();
    for (int b = 0; b < topology.rank_count(); ++b) {
      classes.push_back(std::string(penumbra::to_string(topology.proximity(a, b))));
      if (topology.has_latency()) latencies.push_back(topology.latency_us(a, b));
    }
    json["proximity"].push_back(classes);
    if (topology.has_latency()) json["latency_us"].push_back(latencies);
  }
  json["papi"] = {{"usable_events", papi.usable_events}, {"note", papi.note}};
  return json;
}

void print_table(const penumbra::Topology& topology, const penumbra::monitor::CounterSupport& papi) {
  fmt::print("{} ranks on {} node(s); {}\n\n", topology.rank_count(), topology.node_count(), papi.note);
  fmt::print("{:>4} {:>4} {:<24} {:>5} {:>7} {:>4} {:>5} {:>4} {:>5} {:<12} {:>8}\n", "rank", "node", "host", "local",
             "package", "numa", "cache", "core", "bound", "cpuset", "last cpu");
  for (const auto& p : topology.placements())
    fmt::print("{:>4} {:>4} {:<24} {:>5} {:>7} {:>4} {:>5} {:>4} {:>5} {:<12} {:>8}\n", p.rank, p.node, p.host,
               p.local_rank, index_text(p.package), index_text(p.numa), index_text(p.cache), index_text(p.core),
               p.bound ? "yes" : "no", p.cpuset, index_text(p.last_cpu));
  fmt::print("\nproximity{}\n{:>6}", topology.has_latency() ? " (median one-sided get latency, MPI_Rget + wait, us)" : "", "");
  for (int b = 0; b < topology.rank_count(); ++b) fmt::print(" {:>14}", b);
  fmt::print("\n");
  for (int a = 0; a < topology.rank_count(); ++a) {
    fmt::print("{:>6}", a);
    for (int b = 0; b < topology.rank_count(); ++b) {
      const std::string_view name = penumbra::to_string(topology.proximity(a, b));
      if (topology.has_latency() && a != b)
        fmt::print(" {:>14}", fmt::format("{} {:.2f}", name, topology.latency_us(a, b)));
      else
        fmt::print(" {:>14}", name);
    }
    fmt::print("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  CLI::App app{"Print each rank's placement and the rank-to-rank proximity Penumbra uses"};
  bool json = false, latency = false;
  int samples = 0;
  app.add_flag("--json", json, "print one JSON document instead of tables");
  app.add_flag("--latency", latency, "measure one-sided latency between every pair (latency_probe = true)");
  app.add_option("--samples", samples, "gets per pair in the latency probe (latency_probe_samples)")
      ->check(CLI::Range(1, 1000));
  int status = 0;
  try {
    app.parse(argc, argv);
    penumbra::Config config = penumbra::Config::load();
    if (latency) config.latency_probe = true;
    if (samples > 0) config.latency_probe_samples = samples;
    penumbra::Runtime rt{MPI_COMM_WORLD, config};
    const auto papi = penumbra::monitor::probe_papi();
    if (rt.rank() == 0) {
      if (json)
        fmt::print("{}\n", to_json(rt.topology(), papi).dump(2));
      else
        print_table(rt.topology(), papi);
    }
  } catch (const CLI::ParseError& error) {
    status = app.exit(error);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-topo: %s\n", error.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
