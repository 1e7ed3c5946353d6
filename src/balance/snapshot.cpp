#include "balance/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/validate.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {

namespace {

bool ids_ascend(const EpochInput& input) {
  const auto& objects = input.objects;
  for (std::size_t i = 1; i < objects.size(); ++i)
    if (!(objects[i - 1].id < objects[i].id)) return false;
  return true;
}

}  // namespace

ObjectIndex::ObjectIndex(const EpochInput& input) : ObjectIndex(input, ids_ascend(input)) {}

ObjectIndex::ObjectIndex(const EpochInput& input, bool ascending) : input_(input), ascending_(ascending) {
  const auto& objects = input.objects;
  dense_ = ascending_ && !objects.empty() && objects.back().id.value - objects.front().id.value == objects.size() - 1;
  if (!ascending_) {
    sorted_.resize(objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) sorted_[i] = {objects[i].id.value, static_cast<std::uint32_t>(i)};
    std::ranges::sort(sorted_);
    for (std::size_t i = 1; i < sorted_.size() && !duplicate_; ++i)
      if (sorted_[i - 1].first == sorted_[i].first) duplicate_ = ObjectId{sorted_[i].first};
  }
  // Strictly ascending ids cannot repeat; an equal neighbour pair makes them not ascending and the sort finds it.
}

std::optional<std::size_t> ObjectIndex::find(ObjectId id) const {
  if (dense_) {
    const std::uint64_t first = input_.objects.front().id.value;
    if (id.value < first || id.value - first >= input_.objects.size()) return std::nullopt;
    return static_cast<std::size_t>(id.value - first);
  }
  if (ascending_) {
    const auto& objects = input_.objects;
    auto at = std::lower_bound(objects.begin(), objects.end(), id,
                               [](const ObjectState& o, ObjectId value) { return o.id < value; });
    if (at == objects.end() || at->id != id) return std::nullopt;
    return static_cast<std::size_t>(at - objects.begin());
  }
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), std::pair<std::uint64_t, std::uint32_t>{id.value, 0});
  if (at == sorted_.end() || at->first != id.value) return std::nullopt;
  return at->second;
}

namespace {

// The message names the object only when something is wrong: formatting 6.5M ids up front would cost more
// than planning.
void check_cost(const ObjectState& object, const char* what, double value) {
  if (!(std::isfinite(value) && value >= 0.0))
    throw InvalidLoad(fmt::format("{} of object {} = {} (expected a finite value >= 0)", what, to_string(object.id),
                                  check::number_text(value)));
}

void check_rank(const RankState& rank, int index) {
  const auto name = [index](const char* field) { return fmt::format("ranks[{}].{}", index, field); };
  if (!(std::isfinite(rank.measured_load) && rank.measured_load >= 0.0))
    check::finite_non_negative(name("measured_load"), rank.measured_load);
  if (!(std::isfinite(rank.predicted_load) && rank.predicted_load >= 0.0))
    check::finite_non_negative(name("predicted_load"), rank.predicted_load);
  if (!(std::isfinite(rank.uncertainty) && rank.uncertainty >= 0.0))
    check::finite_non_negative(name("uncertainty"), rank.uncertainty);
  if (!(std::isfinite(rank.capacity) && rank.capacity >= 0.0))
    check::finite_non_negative(name("capacity"), rank.capacity);
  if (!(std::isfinite(rank.speed) && rank.speed > 0.0)) check::finite_positive(name("speed"), rank.speed);
}

}  // namespace

Prepared prepare(const EpochInput& input, CostSource source) {
  if (input.ranks.empty())
    throw InvalidArgument(fmt::format("epoch {}: ranks is empty (expected at least one rank)", input.epoch));
  const std::size_t ranks = input.ranks.size();
  for (std::size_t p = 0; p < ranks; ++p) check_rank(input.ranks[p], static_cast<int>(p));
  if (!(std::isfinite(input.threshold) && input.threshold > 0.0))
    throw InvalidArgument(
        fmt::format("threshold = {} (expected a finite value > 0)", check::number_text(input.threshold)));
  if (!(std::isfinite(input.plan_target) && input.plan_target >= 0.0))
    throw InvalidArgument(
        fmt::format("plan_target = {} (expected a finite value >= 0)", check::number_text(input.plan_target)));
  if (!(std::isfinite(input.steps_until_next_epoch) && input.steps_until_next_epoch > 0.0))
    throw InvalidArgument(fmt::format("steps_until_next_epoch = {} (expected a finite value > 0)",
                                      check::number_text(input.steps_until_next_epoch)));
  if (!(std::isfinite(input.bandwidth_bytes_per_s) && input.bandwidth_bytes_per_s > 0.0))
    throw InvalidArgument(fmt::format("bandwidth_bytes_per_s = {} (expected a finite value > 0)",
                                      check::number_text(input.bandwidth_bytes_per_s)));
  if (input.objects.size() > std::numeric_limits<std::uint32_t>::max())
    throw InvalidArgument(fmt::format("{} objects (at most {} per snapshot)", input.objects.size(),
                                      std::numeric_limits<std::uint32_t>::max()));

  // One pass: checks, whether the ids ascend, and the costs per object and per rank.
  LoadView view;
  const std::size_t n = input.objects.size();
  view.cost.resize(n);
  view.owner.resize(n);
  std::vector<double> own_cost(ranks, 0.0), figure_cost(ranks, 0.0);
  bool ascending = true;
  for (std::size_t i = 0; i < n; ++i) {
    const ObjectState& object = input.objects[i];
    if (object.owner < 0 || static_cast<std::size_t>(object.owner) >= ranks)
      throw InvalidArgument(fmt::format("owner of object {} = {} (expected a rank in [0, {}))", to_string(object.id),
                                        object.owner, ranks));
    check_cost(object, "measured_cost", object.measured_cost);
    check_cost(object, "predicted_cost", object.predicted_cost);
    if (source == CostSource::next) check_cost(object, "next_cost (the oracle needs it)", object.next_cost);
    if (i > 0 && !(input.objects[i - 1].id < object.id)) ascending = false;
    const double figure = source == CostSource::measured ? object.measured_cost : object.predicted_cost;
    view.cost[i] = source == CostSource::next ? object.next_cost : figure;
    view.owner[i] = object.owner;
    own_cost[object.owner] += view.cost[i];
    figure_cost[object.owner] += figure;
  }
  ObjectIndex index(input, ascending);
  if (auto duplicate = index.duplicate())
    throw InvalidArgument(fmt::format("object {} is listed twice in the epoch input", to_string(*duplicate)));

  view.background.resize(ranks);
  view.load.resize(ranks);
  view.speed.resize(ranks);
  view.uncertainty.resize(ranks);
  for (std::size_t p = 0; p < ranks; ++p) {
    const RankState& rank = input.ranks[p];
    const double figure = source == CostSource::measured ? rank.measured_load : rank.predicted_load;
    view.background[p] = std::max(0.0, figure - figure_cost[p]);
    view.load[p] = view.background[p] + own_cost[p];
    view.speed[p] = rank.speed;
    view.uncertainty[p] = source == CostSource::predicted ? rank.uncertainty : 0.0;
  }
  // Balanced means every rank busy for the same time: the total work (seconds x speed, which no move changes)
  // over the total speed. A reference that moved with the placement would let a plan push a receiver over
  // the next epoch's threshold, and the object would come back (the ping-pong test).
  double work = 0.0, total_speed = 0.0;
  for (std::size_t p = 0; p < ranks; ++p) work += view.load[p] * view.speed[p], total_speed += view.speed[p];
  view.reference.resize(ranks);
  for (std::size_t p = 0; p < ranks; ++p)
    view.reference[p] = input.ranks[p].capacity > 0.0 ? input.ranks[p].capacity : work / total_speed;
  return Prepared{std::move(index), std::move(view)};
}

std::vector<std::vector<std::uint32_t>> objects_by_rank(const std::vector<int>& owners, std::size_t ranks) {
  std::vector<std::uint32_t> counts(ranks, 0);
  for (int owner : owners) ++counts[owner];
  std::vector<std::vector<std::uint32_t>> result(ranks);
  for (std::size_t p = 0; p < ranks; ++p) result[p].reserve(counts[p]);
  for (std::size_t i = 0; i < owners.size(); ++i) result[owners[i]].push_back(static_cast<std::uint32_t>(i));
  return result;
}

}  // namespace penumbra::balance
