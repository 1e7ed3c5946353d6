// penumbra-bench-predict: one-epoch-ahead error of every forecasting model and of the ensemble, on
// synthetic load series and on series read from files.
//
//   build/bin/penumbra-bench-predict [--quick] [--json FILE] [--series FILE]... [--seed N]
//                                    [--epochs N] [--seeds N] [--warmup N] [--set predictor.KEY=VALUE]...
//
// Synthetic workload: `objects` objects in contiguous blocks on `ranks` ranks; a rank's load is the sum of its
// objects' loads (so rank series are aggregates, as a LoadMonitor would see them). Every object load is a
// signal times independent multiplicative measurement noise (1 + 0.1 N(0, 1), clamped at 0), the same for
// all patterns:
//   trend           base x (1 + s t), slope s ~ U[-0.002, 0.008] per epoch per object
//   periodic        base x (1 + A sin(2 pi t / 16 + phi)), A ~ U[0.3, 0.6], phi = phi0 + N(0, 0.3)
//   moving-hotspot  base x (1 + 4 exp(-d^2 / (2 x 3^2))), d = circular distance of the object from a hotspot
//                   that moves 0.4 objects per epoch (it crosses a rank's block in 20 epochs)
//   random-walk     log load takes N(0, 0.05) steps
//   noise           base (the noise only)
//   phase-change    the application changes phase every U[30, 70] epochs; each phase redraws every
//                   object's level as base x exp(0.5 N(0, 1))
// base ~ U[0.5, 1.5] ms per object. All generators are seeded from --seed.
//
// Error: WAPE = sum |forecast - actual| / sum actual over all series of a kind (rank, object) and all
// epochs t >= warmup, for every model alike: the forecast of epoch t is made after observing epochs 0..t-1.
// The first `warmup` epochs (32 by default: two periods of the periodic pattern) are excluded for every
// model and the ensemble.
//
// Series file (--series, repeatable): {"series": [{"name": "rank0", "kind": "rank" | "object",
// "values": [non-negative numbers, one per epoch]}]}. Each file is reported as one pattern named
// "file:<file name>".
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <penumbra/config.hpp>
#include <penumbra/errors.hpp>
#include <penumbra/predict.hpp>
#include <random>
#include <string>
#include <vector>

#include "load_patterns.hpp"

namespace {

using Series = std::vector<double>;

struct Workload {
  std::string pattern;
  std::vector<Series> rank_series;
  std::vector<Series> object_series;
};

using penumbra::bench::Shape;
using penumbra::bench::Signal;

Workload generate(const std::string& pattern, const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 1000003ULL + std::hash<std::string>{}(pattern));
  const Signal signal(pattern, shape, rng);
  Workload workload{pattern, {}, {}};
  for (int o = 0; o < shape.objects; ++o) workload.object_series.push_back(signal.object(o, rng));
  // Contiguous blocks: the hotspot travels across ranks as it travels across objects.
  workload.rank_series.assign(static_cast<std::size_t>(shape.ranks), Series(static_cast<std::size_t>(shape.epochs)));
  for (int o = 0; o < shape.objects; ++o) {
    const int rank = o * shape.ranks / shape.objects;
    for (int t = 0; t < shape.epochs; ++t) workload.rank_series[rank][t] += workload.object_series[o][t];
  }
  return workload;
}

Workload read_series_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw penumbra::InvalidArgument(fmt::format("--series {}: cannot open", path.string()));
  nlohmann::json json;
  try {
    in >> json;
  } catch (const nlohmann::json::exception& error) {
    throw penumbra::InvalidLoad(fmt::format("--series {}: not JSON ({})", path.string(), error.what()));
  }
  if (!json.contains("series") || !json["series"].is_array())
    throw penumbra::InvalidLoad(fmt::format("--series {}: expected {{\"series\": [...]}}", path.string()));
  Workload workload{"file:" + path.filename().string(), {}, {}};
  for (const auto& entry : json["series"]) {
    const std::string name = entry.value("name", std::string("?"));
    const std::string kind = entry.value("kind", std::string());
    if (kind != "rank" && kind != "object")
      throw penumbra::InvalidLoad(
          fmt::format("--series {}: series '{}' has kind '{}' (expected rank or object)", path.string(), name, kind));
    if (!entry.contains("values") || !entry["values"].is_array())
      throw penumbra::InvalidLoad(fmt::format("--series {}: series '{}' has no values array", path.string(), name));
    Series values;
    for (const auto& value : entry["values"]) {
      const double v = value.is_number() ? value.get<double>() : -1.0;
      if (!(std::isfinite(v) && v >= 0.0))
        throw penumbra::InvalidLoad(fmt::format("--series {}: series '{}' value {} = {} (expected a number >= 0)",
                                                path.string(), name, values.size(), value.dump()));
      values.push_back(v);
    }
    (kind == "rank" ? workload.rank_series : workload.object_series).push_back(std::move(values));
  }
  return workload;
}

// Sums for one kind of series: per model |error| and the actual load, and how often each model was chosen.
struct Tally {
  std::vector<double> abs_error;  // models..., then the ensemble
  std::vector<double> chosen;     // per model
  double actual = 0.0;
  std::size_t points = 0;

  std::optional<double> wape(std::size_t i) const {
    if (points == 0 || actual <= 0.0) return std::nullopt;
    return abs_error[i] / actual;
  }
};

// Through a LoadPredictor, as the runtime feeds its models: the same ensemble, behind the spike filter
// (predictor.spike_sigmas). Errors are against the series as generated.
void evaluate(const Series& series, const penumbra::PredictorOptions& options, int warmup, Tally& tally) {
  penumbra::LoadPredictor predictor(options);
  const penumbra::SeriesKey key = penumbra::rank_series(0);
  const std::size_t models = penumbra::Ensemble(options).model_count();
  if (tally.abs_error.empty()) {
    tally.abs_error.assign(models + 1, 0.0);
    tally.chosen.assign(models, 0.0);
  }
  for (std::size_t t = 0; t < series.size(); ++t) {
    const double actual = series[t];
    if (static_cast<int>(t) >= warmup && t > 0) {
      const penumbra::Ensemble& ensemble = predictor.ensemble(key);
      for (std::size_t i = 0; i < models; ++i) tally.abs_error[i] += std::abs(ensemble.model_forecast(i, 1) - actual);
      tally.abs_error[models] += std::abs(ensemble.forecast(1) - actual);
      tally.chosen[ensemble.chosen()] += 1.0;
      tally.actual += actual;
      ++tally.points;
    }
    predictor.observe(key, actual);
  }
}

struct Result {
  std::string pattern;
  std::vector<std::string> names;  // models..., "ensemble"
  Tally ranks, objects;
};

Result run(const std::vector<Workload>& workloads, const penumbra::PredictorOptions& options, int warmup) {
  Result result;
  result.pattern = workloads.front().pattern;
  for (const Workload& workload : workloads) {
    for (const Series& s : workload.rank_series) evaluate(s, options, warmup, result.ranks);
    for (const Series& s : workload.object_series) evaluate(s, options, warmup, result.objects);
  }
  result.names = options.models;
  result.names.emplace_back("ensemble");
  for (Tally* tally : {&result.ranks, &result.objects})
    if (tally->abs_error.empty()) {
      tally->abs_error.assign(result.names.size(), 0.0);
      tally->chosen.assign(options.models.size(), 0.0);
    }
  return result;
}

std::string cell(std::optional<double> value) { return value ? fmt::format("{:.4f}", *value) : std::string("-"); }

nlohmann::json json_number(std::optional<double> value) { return value ? nlohmann::json(*value) : nlohmann::json(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Penumbra load prediction: one-epoch-ahead WAPE of every model and of the ensemble"};
  bool quick = false;
  std::string json_path;
  std::vector<std::string> series_files;
  std::uint64_t seed = 1;
  Shape shape;
  int seeds = 0;
  int warmup = 32;
  std::vector<std::string> settings;
  app.add_flag("--quick", quick, "160 epochs, one seed (seconds)");
  app.add_option("--json", json_path, "write {\"patterns\": [...]} to this file");
  app.add_option("--series", series_files, "also evaluate the series of this JSON file (repeatable)");
  app.add_option("--seed", seed, "seed of the synthetic series")->capture_default_str();
  app.add_option("--epochs", shape.epochs, "epochs per synthetic series (default 400, --quick 160)");
  app.add_option("--seeds", seeds, "independent workloads per pattern (default 3, --quick 1)");
  app.add_option("--warmup", warmup, "epochs excluded from the error, for every model")->capture_default_str();
  app.add_option("--set", settings, "override a predictor option, e.g. --set predictor.ensemble_window=8");
  CLI11_PARSE(app, argc, argv);
  try {
    if (app.count("--epochs") == 0) shape.epochs = quick ? 160 : 400;
    if (app.count("--seeds") == 0) seeds = quick ? 1 : 3;
    if (shape.epochs < 2 || seeds < 1 || warmup < 1)
      throw penumbra::InvalidArgument(
          fmt::format("--epochs = {}, --seeds = {}, --warmup = {} (expected >= 2, 1, 1)", shape.epochs, seeds, warmup));
    // --set predictor.<key>=<value>, read as the configuration reads it, so that settings can be compared on
    // the same series.
    const penumbra::PredictorOptions options = penumbra::Config::with_settings({}, settings).predictor;
    options.validate();
    const auto start = std::chrono::steady_clock::now();
    std::vector<Result> results;
    for (const char* pattern : {"trend", "periodic", "moving-hotspot", "random-walk", "noise", "phase-change"}) {
      std::vector<Workload> workloads;
      for (int k = 0; k < seeds; ++k)
        workloads.push_back(generate(pattern, shape, seed + static_cast<std::uint64_t>(k)));
      results.push_back(run(workloads, options, warmup));
    }
    for (const std::string& file : series_files) results.push_back(run({read_series_file(file)}, options, warmup));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    fmt::print(
        "penumbra-bench-predict: {} objects on {} ranks, {} epochs, {} workload(s) per pattern, seed {}; "
        "warm-up {} epochs excluded for every model; one-epoch-ahead WAPE ({:.1f} s)\n",
        shape.objects, shape.ranks, shape.epochs, seeds, seed, warmup, seconds);
    fmt::print("{:<16} {:<12} {:>10} {:>12} {:>14}\n", "pattern", "model", "rank WAPE", "object WAPE", "chosen (rank)");
    nlohmann::json json{{"patterns", nlohmann::json::array()}};
    std::vector<std::string> verdicts;
    for (const Result& result : results) {
      nlohmann::json models = nlohmann::json::array();
      const double chosen_total = result.ranks.points > 0 ? static_cast<double>(result.ranks.points) : 1.0;
      for (std::size_t i = 0; i < result.names.size(); ++i) {
        const bool ensemble = i + 1 == result.names.size();
        const std::string chosen =
            ensemble ? std::string() : fmt::format("{:.0f}%", 100.0 * result.ranks.chosen[i] / chosen_total);
        fmt::print("{:<16} {:<12} {:>10} {:>12} {:>14}\n", i == 0 ? result.pattern : "", result.names[i],
                   cell(result.ranks.wape(i)), cell(result.objects.wape(i)), chosen);
        models.push_back({{"name", result.names[i]},
                          {"rank_wape", json_number(result.ranks.wape(i))},
                          {"object_wape", json_number(result.objects.wape(i))}});
      }
      json["patterns"].push_back({{"pattern", result.pattern}, {"models", models}});

      // The targets of the issue, for the synthetic patterns.
      const auto ensemble = result.ranks.wape(result.names.size() - 1);
      const auto persistence_at = std::ranges::find(result.names, "persistence");
      if (!ensemble || persistence_at == result.names.end()) continue;
      const auto persistence = result.ranks.wape(static_cast<std::size_t>(persistence_at - result.names.begin()));
      const bool predictable =
          result.pattern == "trend" || result.pattern == "periodic" || result.pattern == "moving-hotspot";
      const bool unpredictable =
          result.pattern == "random-walk" || result.pattern == "noise" || result.pattern == "phase-change";
      if (predictable)
        verdicts.push_back(fmt::format("{:<16} rank ensemble {:.4f} <= 0.10 and < persistence {:.4f}: {}",
                                       result.pattern, *ensemble, *persistence,
                                       *ensemble <= 0.10 && *ensemble < *persistence ? "met" : "NOT met"));
      if (unpredictable)
        verdicts.push_back(fmt::format("{:<16} rank ensemble {:.4f} <= 1.05 x persistence {:.4f}: {}", result.pattern,
                                       *ensemble, *persistence, *ensemble <= 1.05 * *persistence ? "met" : "NOT met"));
    }
    fmt::print("targets:\n");
    for (const std::string& line : verdicts) fmt::print("  {}\n", line);
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      if (!out) throw penumbra::InvalidArgument(fmt::format("--json {}: cannot write", json_path));
      out << json.dump(2) << "\n";
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "penumbra-bench-predict: %s\n", error.what());
    return 1;
  }
  return 0;
}
