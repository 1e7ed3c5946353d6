// The --simulate workload. Partitions form a px x py grid; each owns a 10 x 10 tile of a 2-D mesh of objects
// (100 objects per partition). Every object exchanges a halo of 8 KiB per step with its 4 mesh neighbours
// (Edge::bytes_per_step), weighs 64 KiB (a move transfers that at 1 GB/s) and costs 10 ms of work per epoch
// (10 steps of 1 ms) times a per-object factor in [0.8, 1.2], times a moving hotspot: 1 + 3 exp(-d^2 / 72) at
// mesh distance d from the hotspot of its 80 x 80 block (one hotspot per 8 x 8 partitions, so the share of
// hot partitions is the same at every scale), moving 3 objects along x per epoch. Measurements carry 5%
// multiplicative noise (a hash of object and epoch, so every strategy sees the same numbers).
//
// What each strategy is given at epoch t: measured_cost = the noisy cost of t - 1; predicted_cost = a linear
// extrapolation of the last two measurements (what the ensemble's trend models do on a moving hotspot),
// uncertainty = the 5% noise summed over the rank's objects; next_cost = the true cost of t (oracle only).
// Each strategy keeps its own placement from epoch to epoch; its imbalance is max/mean of the true cost of
// epoch t on the placement after its plan.
#include "rebalance_simulate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <penumbra/balance.hpp>

namespace penumbra::bench {
namespace {

constexpr int kTile = 10;            // objects per partition side: 100 per partition
constexpr int kBlock = 8 * kTile;    // one hotspot per 8 x 8 partitions
constexpr double kBaseCost = 10e-3;  // seconds per epoch
constexpr double kHaloBytes = 8192.0;
constexpr std::uint64_t kObjectBytes = 65536;
constexpr double kHotspotSpeed = 3.0;  // objects per epoch

std::uint64_t mix(std::uint64_t x) {  // splitmix64: cheap, reproducible noise
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
double uniform(std::uint64_t key) { return static_cast<double>(mix(key) >> 11) * 0x1.0p-53; }

// The grid of partitions: px x py with px the divisor of P nearest its square root.
struct Mesh {
  int px = 1, py = 1, width = 0, height = 0;
  explicit Mesh(int partitions) {
    for (int d = 1; d * d <= partitions; ++d)
      if (partitions % d == 0) px = d;
    py = partitions / px;
    width = px * kTile;
    height = py * kTile;
  }
  std::size_t objects() const { return static_cast<std::size_t>(width) * static_cast<std::size_t>(height); }
  int owner(int x, int y) const { return (y / kTile) * px + x / kTile; }
};

// True cost of object (x, y) at epoch t.
double true_cost(const Mesh& mesh, int x, int y, int t) {
  const double factor = 0.8 + 0.4 * uniform(static_cast<std::uint64_t>(y) * 1000003ULL + static_cast<std::uint64_t>(x));
  const int bx = x / kBlock, by = y / kBlock;
  const int block_w = std::min(kBlock, mesh.width - bx * kBlock), block_h = std::min(kBlock, mesh.height - by * kBlock);
  // The hotspot circles its block along x, starting at a block-dependent place.
  const double start = uniform(static_cast<std::uint64_t>(bx) * 7919ULL + static_cast<std::uint64_t>(by)) * block_w;
  const double cx = std::fmod(start + kHotspotSpeed * t, static_cast<double>(block_w));
  const double cy = 0.5 * block_h;
  double dx = std::abs((x - bx * kBlock) - cx);
  dx = std::min(dx, block_w - dx);
  const double dy = (y - by * kBlock) - cy;
  return kBaseCost * factor * (1.0 + 3.0 * std::exp(-(dx * dx + dy * dy) / 72.0));
}

double noisy(double cost, std::size_t object, int t) {
  const double u = uniform(object * 0x100000001b3ULL + static_cast<std::uint64_t>(t) + 17);
  return cost * (1.0 + 0.05 * std::sqrt(3.0) * (2.0 * u - 1.0));  // uniform noise with a 5% deviation
}

balance::EpochInput build_snapshot(const Mesh& mesh, int ranks_per_node, double threshold) {
  balance::EpochInput input;
  const int partitions = mesh.px * mesh.py;
  input.ranks.resize(static_cast<std::size_t>(partitions));
  for (int p = 0; p < partitions; ++p) input.ranks[p].node = p / ranks_per_node;
  input.threshold = threshold;
  input.plan_target = BalanceOptions{}.plan_target;
  input.steps_until_next_epoch = 10;
  input.bandwidth_bytes_per_s = 1e9;
  input.objects.resize(mesh.objects());
  for (int y = 0; y < mesh.height; ++y)
    for (int x = 0; x < mesh.width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * mesh.width + x;
      balance::ObjectState& object = input.objects[i];
      object.id = ObjectId{i + 1};  // ascending: the planner indexes them without sorting
      object.owner = mesh.owner(x, y);
      object.size_bytes = kObjectBytes;
      const auto link = [&](int nx, int ny) {
        if (nx >= 0 && ny >= 0 && nx < mesh.width && ny < mesh.height)
          object.edges.push_back({ObjectId{static_cast<std::uint64_t>(ny) * mesh.width + nx + 1}, kHaloBytes});
      };
      object.edges.reserve(4);
      link(x - 1, y), link(x + 1, y), link(x, y - 1), link(x, y + 1);
    }
  return input;
}

struct EpochCosts {
  std::vector<double> measured, predicted, next;
};

// Costs of epoch t for every object (shared by all strategies).
EpochCosts epoch_costs(const Mesh& mesh, int t) {
  EpochCosts costs;
  const std::size_t n = mesh.objects();
  costs.measured.resize(n), costs.predicted.resize(n), costs.next.resize(n);
  for (int y = 0; y < mesh.height; ++y)
    for (int x = 0; x < mesh.width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * mesh.width + x;
      const double last = noisy(true_cost(mesh, x, y, t - 1), i, t - 1);
      const double before = noisy(true_cost(mesh, x, y, t - 2), i, t - 2);
      costs.measured[i] = last;
      costs.predicted[i] = std::max(0.0, 2.0 * last - before);
      costs.next[i] = true_cost(mesh, x, y, t);
    }
  return costs;
}

void load_snapshot(balance::EpochInput& input, const std::vector<int>& owners, const EpochCosts& costs, int t) {
  input.epoch = t;
  for (balance::RankState& rank : input.ranks) rank.measured_load = rank.predicted_load = rank.uncertainty = 0.0;
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    balance::ObjectState& object = input.objects[i];
    object.owner = owners[i];
    object.measured_cost = costs.measured[i];
    object.predicted_cost = costs.predicted[i];
    object.next_cost = costs.next[i];
    balance::RankState& rank = input.ranks[object.owner];
    rank.measured_load += object.measured_cost;
    rank.predicted_load += object.predicted_cost;
    rank.uncertainty += 0.05 * 0.05 * object.predicted_cost * object.predicted_cost;  // variance, for now
  }
  for (balance::RankState& rank : input.ranks) rank.uncertainty = std::sqrt(rank.uncertainty);
}

double imbalance(const std::vector<int>& owners, const std::vector<double>& cost, std::size_t ranks) {
  std::vector<double> load(ranks, 0.0);
  for (std::size_t i = 0; i < owners.size(); ++i) load[owners[i]] += cost[i];
  const double mean = std::accumulate(load.begin(), load.end(), 0.0) / static_cast<double>(ranks);
  return mean > 0.0 ? *std::max_element(load.begin(), load.end()) / mean : 1.0;
}

}  // namespace

std::vector<SimulateRow> run_simulation(const SimulateOptions& options,
                                        const std::function<void(const SimulateRow&)>& on_row) {
  std::vector<SimulateRow> rows;
  for (int partitions : options.partitions) {
    const Mesh mesh(partitions);
    balance::EpochInput input = build_snapshot(mesh, options.ranks_per_node, options.threshold);
    std::vector<int> initial(input.objects.size());
    for (std::size_t i = 0; i < initial.size(); ++i) initial[i] = input.objects[i].owner;
    std::vector<std::vector<int>> owners(options.strategies.size(), initial);
    std::vector<SimulateRow> results(options.strategies.size());
    BalanceOptions balance_options;
    balance_options.threshold = options.threshold;
    for (int e = 0; e < options.epochs; ++e) {
      const int t = e + 2;  // two epochs of history before the first plan
      const EpochCosts costs = epoch_costs(mesh, t);
      for (std::size_t s = 0; s < options.strategies.size(); ++s) {
        const auto strategy = balance::make_strategy(options.strategies[s], balance_options);
        load_snapshot(input, owners[s], costs, t);
        const auto start = std::chrono::steady_clock::now();
        const balance::Plan plan = strategy->plan(input);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (const balance::PlannedMove& move : plan.moves) owners[s][move.id.value - 1] = move.to;
        SimulateRow& row = results[s];
        row.plan_s += seconds / options.epochs;
        row.plan_s_max = std::max(row.plan_s_max, seconds);
        row.imbalance += imbalance(owners[s], costs.next, input.ranks.size()) / options.epochs;
        row.objects_moved += static_cast<double>(plan.moves.size()) / options.epochs;
        row.rounds += static_cast<double>(plan.rounds) / options.epochs;
        row.messages += static_cast<double>(plan.messages) / options.epochs;
      }
    }
    for (std::size_t s = 0; s < options.strategies.size(); ++s) {
      results[s].partitions = partitions;
      results[s].objects = input.objects.size();
      results[s].strategy = options.strategies[s];
      on_row(results[s]);
      rows.push_back(results[s]);
    }
  }
  return rows;
}

}  // namespace penumbra::bench
