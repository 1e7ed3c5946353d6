#include "synthetic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"

namespace penumbra::prof {
namespace {

constexpr double kBaseCost = 0.002;    // seconds of work per object per interval, away from the hot spot
constexpr double kHotFactor = 4.0;     // how much hotter the centre of the spot is
constexpr double kAlpha = 0.5;         // EWMA weight of the newest cost in the per-object forecast
constexpr double kThreshold = 0.2;     // the planner acts above (1 + threshold) x mean
constexpr double kEpochPeriod = 0.25;  // seconds between epochs
constexpr int kMaxMovesPerEpoch = 8;
constexpr std::uint64_t kObjectBytes = 64 * 1024;

// The hot spot drifts half way around the ring of objects over the run, so the load moves from rank to rank
// and forecasts lag it a little, as in a real moving-front simulation.
double cost(int object, int objects, int epoch, int epochs) {
  const double centre = static_cast<double>(objects) * epoch / (2.0 * std::max(1, epochs));
  double distance = std::abs(object - centre);
  distance = std::min(distance, objects - distance);
  const double width = std::max(2.0, objects / 8.0);
  return kBaseCost * (1.0 + kHotFactor * std::exp(-distance * distance / (2 * width * width)));
}

std::vector<double> rank_loads(const std::vector<int>& owner, const std::vector<double>& per_object, int ranks) {
  std::vector<double> loads(static_cast<std::size_t>(ranks), 0.0);
  for (std::size_t i = 0; i < owner.size(); ++i) loads[static_cast<std::size_t>(owner[i])] += per_object[i];
  return loads;
}

// Greedy: repeatedly give the most loaded rank's largest object that still fits to the least loaded rank.
balance::Plan greedy_plan(const balance::EpochInput& input) {
  balance::Plan plan;
  std::vector<double> loads;
  for (const auto& rank : input.ranks) loads.push_back(rank.predicted_load);
  std::vector<int> owner;
  for (const auto& object : input.objects) owner.push_back(object.owner);
  const double mean = std::accumulate(loads.begin(), loads.end(), 0.0) / static_cast<double>(loads.size());
  for (int round = 0; round < kMaxMovesPerEpoch; ++round) {
    const auto heavy = static_cast<int>(std::ranges::max_element(loads) - loads.begin());
    const auto light = static_cast<int>(std::ranges::min_element(loads) - loads.begin());
    if (loads[static_cast<std::size_t>(heavy)] <= (1 + input.threshold) * mean) break;
    const double room = (loads[static_cast<std::size_t>(heavy)] - loads[static_cast<std::size_t>(light)]) / 2;
    int best = -1;
    for (std::size_t i = 0; i < input.objects.size(); ++i)
      if (owner[i] == heavy && input.objects[i].predicted_cost <= room &&
          (best < 0 || input.objects[i].predicted_cost > input.objects[static_cast<std::size_t>(best)].predicted_cost))
        best = static_cast<int>(i);
    if (best < 0) break;
    const auto& object = input.objects[static_cast<std::size_t>(best)];
    plan.moves.push_back(
        {object.id, heavy, light, object.size_bytes, balance::MoveReason::overload, object.predicted_cost});
    loads[static_cast<std::size_t>(heavy)] -= object.predicted_cost;
    loads[static_cast<std::size_t>(light)] += object.predicted_cost;
    owner[static_cast<std::size_t>(best)] = light;
  }
  std::ranges::sort(plan.moves, {}, &balance::PlannedMove::id);
  plan.projected_load = loads;
  plan.messages = 2 * plan.moves.size();
  return plan;
}

}  // namespace

std::filesystem::path write_synthetic_trace(const std::filesystem::path& dir, const SyntheticSpec& spec) {
  if (spec.ranks < 1 || spec.nodes < 1 || spec.nodes > spec.ranks || spec.epochs < 1 || spec.objects < spec.ranks)
    throw InvalidArgument(
        fmt::format("synthetic trace: ranks {}, nodes {}, epochs {}, objects {} (expected ranks >= 1, "
                    "1 <= nodes <= ranks, epochs >= 1, objects >= ranks)",
                    spec.ranks, spec.nodes, spec.epochs, spec.objects));
  std::mt19937_64 random(spec.seed);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const auto n = static_cast<std::size_t>(spec.objects);

  trace::RunHeader header;
  header.run_name = spec.run_name;
  header.ranks = spec.ranks;
  header.nodes = spec.nodes;
  header.strategy = "synthetic-greedy";
  header.config = {{"balance.threshold", fmt::format("{}", kThreshold)},
                   {"trace.dir", fmt::format("\"{}\"", dir.string())}};
  header.start_unix_seconds = 1.7e9;
  header.start_time = trace::iso8601_utc(header.start_unix_seconds);
  trace::TraceWriter writer(dir, header);

  std::vector<int> owner(n);
  for (std::size_t i = 0; i < n; ++i) owner[i] = static_cast<int>(i * static_cast<std::size_t>(spec.ranks) / n);
  // Per-object forecast for the coming interval, warmed up on the noise-free first interval (the runtime
  // likewise measures a warm-up interval before its first forecast).
  std::vector<double> forecast(n);
  for (std::size_t i = 0; i < n; ++i) forecast[i] = cost(static_cast<int>(i), spec.objects, 0, spec.epochs);
  for (int epoch = 0; epoch < spec.epochs; ++epoch) {
    std::vector<double> actual(n);
    for (std::size_t i = 0; i < n; ++i)
      actual[i] = cost(static_cast<int>(i), spec.objects, epoch, spec.epochs) * jitter(random);
    const auto actual_rank = rank_loads(owner, actual, spec.ranks);
    const auto predicted_rank = rank_loads(owner, forecast, spec.ranks);  // what was forecast for this interval
    for (std::size_t i = 0; i < n; ++i) forecast[i] = kAlpha * actual[i] + (1 - kAlpha) * forecast[i];

    trace::EpochRecord record;
    record.epoch = epoch;
    record.step = 10 * (epoch + 1);
    record.strategy = header.strategy;
    record.input.epoch = epoch;
    record.input.steps_until_next_epoch = 10;
    record.input.threshold = kThreshold;
    record.input.plan_target = kThreshold;  // its greedy planner stops at the threshold
    const auto next_rank = rank_loads(owner, forecast, spec.ranks);
    for (int r = 0; r < spec.ranks; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      record.input.ranks.push_back({.node = r * spec.nodes / spec.ranks,
                                    .measured_load = actual_rank[ri],
                                    .predicted_load = next_rank[ri],
                                    .uncertainty = 0.1 * next_rank[ri]});
      trace::RankRecord rank{.predicted_load = predicted_rank[ri], .actual_load = actual_rank[ri]};
      rank.shadow_hits = 100 + random() % 400;
      rank.shadow_misses = random() % 60;
      rank.shadows_created = random() % 3;
      rank.shadows_dropped = random() % 2;
      rank.metadata_lookups = 20 + random() % 50;
      rank.metadata_updates = random() % 10;
      record.ranks.push_back(rank);
    }
    if (epoch > 0) record.prediction_error = trace::prediction_error(record.ranks);
    const double max_predicted = *std::ranges::max_element(next_rank);
    const double mean_predicted = std::accumulate(next_rank.begin(), next_rank.end(), 0.0) / spec.ranks;
    record.trigger = epoch == 0                                          ? trace::Trigger::manual
                     : max_predicted > (1 + kThreshold) * mean_predicted ? trace::Trigger::threshold
                                                                         : trace::Trigger::periodic;
    for (std::size_t i = 0; i < n; ++i) {
      balance::ObjectState object;
      object.id = ObjectId{0x1000 + i};
      object.owner = owner[i];
      object.size_bytes = kObjectBytes;
      object.measured_cost = actual[i];
      object.predicted_cost = forecast[i];
      const int neighbour = owner[(i + 1) % n];
      object.accesses = {{owner[i], 50, 50 * 1024}};
      if (neighbour != owner[i]) object.accesses.push_back({neighbour, 10, 10 * 1024});
      object.edges = {{ObjectId{0x1000 + (i + 1) % n}, 1024.0}, {ObjectId{0x1000 + (i + n - 1) % n}, 1024.0}};
      record.input.objects.push_back(std::move(object));
    }
    record.plan = greedy_plan(record.input);
    record.plan.plan_seconds = 2e-5 * jitter(random);
    record.moves = record.plan.moves;
    for (const auto& move : record.moves) owner[static_cast<std::size_t>(move.id.value - 0x1000)] = move.to;
    record.staleness_p50 = 0;
    record.staleness_p99 = static_cast<double>(random() % 3);

    double t = 0.5 + kEpochPeriod * epoch;
    const std::array<double, trace::kPhaseCount> durations = {
        1e-4 * jitter(random), 3e-4 * jitter(random), record.plan.plan_seconds,
        2e-4 * (1.0 + static_cast<double>(record.moves.size())) * jitter(random), 1e-4 * jitter(random)};
    for (std::size_t p = 0; p < trace::kPhaseCount; ++p) {
      record.phases[p] = {t, durations[p]};
      t += durations[p];
    }
    writer.append(record);
  }
  return writer.path();
}

}  // namespace penumbra::prof
