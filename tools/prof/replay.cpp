#include "replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>

#include "penumbra/errors.hpp"
#include "stats.hpp"
#include "text_format.hpp"

namespace penumbra::prof {

std::vector<double> projected_loads(const balance::EpochInput& input, const std::vector<balance::PlannedMove>& moves) {
  std::vector<double> loads;
  for (const auto& rank : input.ranks) loads.push_back(rank.predicted_load);
  std::unordered_map<ObjectId, double> cost;
  for (const auto& object : input.objects) cost[object.id] = object.predicted_cost;
  for (const auto& move : moves) {
    const auto found = cost.find(move.id);
    const bool valid = found != cost.end() && move.from >= 0 && move.to >= 0 &&
                       static_cast<std::size_t>(move.from) < loads.size() &&
                       static_cast<std::size_t>(move.to) < loads.size();
    if (!valid) continue;  // a move of an unknown object changes nothing we can see
    loads[static_cast<std::size_t>(move.from)] -= found->second;
    loads[static_cast<std::size_t>(move.to)] += found->second;
  }
  return loads;
}

std::optional<std::vector<double>> true_loads(const balance::EpochInput& input,
                                              const std::vector<balance::PlannedMove>& moves) {
  if (input.objects.empty()) return std::nullopt;
  std::unordered_map<ObjectId, int> owner;
  for (const auto& object : input.objects) {
    if (!(object.next_cost >= 0.0)) return std::nullopt;
    owner[object.id] = object.owner;
  }
  for (const auto& move : moves)
    if (auto found = owner.find(move.id); found != owner.end() && move.to >= 0) found->second = move.to;
  std::vector<double> loads(input.ranks.size(), 0.0);
  for (const auto& object : input.objects) {
    const int rank = owner.at(object.id);
    if (rank >= 0 && static_cast<std::size_t>(rank) < loads.size())
      loads[static_cast<std::size_t>(rank)] += object.next_cost;
  }
  return loads;
}

std::optional<double> forecast_error(const balance::EpochInput& input) {
  double error = 0.0, total = 0.0;
  for (const auto& object : input.objects) {
    if (!(object.next_cost >= 0.0)) return std::nullopt;
    error += std::abs(object.predicted_cost - object.next_cost);
    total += object.next_cost;
  }
  if (!(total > 0.0)) return std::nullopt;
  return error / total;
}

namespace {

std::optional<double> true_imbalance(const balance::EpochInput& input, const std::vector<balance::PlannedMove>& moves) {
  const auto loads = true_loads(input, moves);
  if (!loads) return std::nullopt;
  return imbalance(*loads);
}

}  // namespace

std::vector<ReplayRow> replay(const trace::Trace& trace, const balance::Strategy& strategy,
                              const std::function<void(std::size_t, std::size_t)>& progress) {
  std::vector<ReplayRow> rows;
  for (const auto& record : trace.epochs) {
    ReplayRow row;
    row.epoch = record.epoch;
    std::vector<double> before;
    for (const auto& rank : record.input.ranks) before.push_back(rank.predicted_load);
    row.input_imbalance = imbalance(before);
    row.recorded_moves = record.plan.moves.size();
    for (const auto& move : record.plan.moves) row.recorded_bytes += move.bytes;
    row.recorded_imbalance = imbalance(projected_loads(record.input, record.plan.moves));
    row.true_input_imbalance = true_imbalance(record.input, {});
    row.true_recorded_imbalance = true_imbalance(record.input, record.plan.moves);
    row.forecast_error = forecast_error(record.input);
    try {
      const auto started = std::chrono::steady_clock::now();
      const balance::Plan plan = strategy.plan(record.input);
      row.plan_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      row.replayed_moves = plan.moves.size();
      for (const auto& move : plan.moves) row.replayed_bytes += move.bytes;
      row.replayed_imbalance = imbalance(projected_loads(record.input, plan.moves));
      row.true_replayed_imbalance = true_imbalance(record.input, plan.moves);
      std::map<ObjectId, int> recorded_to;
      for (const auto& move : record.plan.moves) recorded_to[move.id] = move.to;
      for (const auto& move : plan.moves) {
        auto found = recorded_to.find(move.id);
        if (found != recorded_to.end() && found->second == move.to) ++row.same_moves;
      }
    } catch (const InvalidArgument& error) {
      row.error = error.what();
    }
    rows.push_back(std::move(row));
    if (progress) progress(rows.size(), trace.epochs.size());
  }
  return rows;
}

void print_replay(const trace::Trace& trace, std::string_view strategy, const std::vector<ReplayRow>& rows,
                  std::FILE* out) {
  const std::string recorded = trace.epochs.empty() ? trace.header.strategy : trace.epochs.front().strategy;
  const bool truth =
      std::ranges::any_of(rows, [](const ReplayRow& row) { return row.true_input_imbalance.has_value(); });
  fmt::print(out, "replay of {} ({} ranks, {} epochs): recorded strategy {} against {}\n", trace.header.run_name,
             trace.header.ranks, rows.size(), recorded, strategy);
  fmt::print(out,
             "imbalance = max/mean predicted load per rank; after a plan: input loads with each moved object's "
             "predicted cost moved\n");
  if (truth)
    fmt::print(out,
               "true = max/mean per rank of the next-epoch costs the run declared (next_cost), before any move and "
               "after each plan; fc err = sum |predicted - next| / sum next over the objects\n");
  fmt::print(out, "\n{:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9}", "epoch", "input imb", "rec moves",
             "rec bytes", "rec imb", "new moves", "new bytes", "new imb", "same", "plan ms");
  if (truth) fmt::print(out, " {:>9} {:>9} {:>9} {:>7}", "true in", "true rec", "true new", "fc err");
  fmt::print(out, "\n");
  const auto cell = [](std::optional<double> value, int width, std::string_view suffix = "") {
    return value ? fmt::format("{:>{}.3f}{}", *value, width, suffix) : fmt::format("{:>{}}{}", "-", width, suffix);
  };
  std::size_t recorded_moves = 0, replayed_moves = 0, failures = 0, truths = 0;
  double recorded_imbalance = 0, replayed_imbalance = 0;
  double true_input = 0, true_recorded = 0, true_replayed = 0, errors = 0;
  for (const auto& row : rows) {
    if (!row.error.empty()) {
      ++failures;
      fmt::print(out, "{:>6} {:>9.3f} {:>9} {:>9} {:>9.3f}  {} rejected the input: {}\n", row.epoch,
                 row.input_imbalance, row.recorded_moves, bytes_text(row.recorded_bytes), row.recorded_imbalance,
                 strategy, row.error);
      continue;
    }
    recorded_moves += row.recorded_moves;
    replayed_moves += row.replayed_moves;
    recorded_imbalance += row.recorded_imbalance;
    replayed_imbalance += row.replayed_imbalance;
    fmt::print(out, "{:>6} {:>9.3f} {:>9} {:>9} {:>9.3f} {:>9} {:>9} {:>9.3f} {:>7} {:>9.3f}", row.epoch,
               row.input_imbalance, row.recorded_moves, bytes_text(row.recorded_bytes), row.recorded_imbalance,
               row.replayed_moves, bytes_text(row.replayed_bytes), row.replayed_imbalance, row.same_moves,
               ms(row.plan_seconds));
    if (truth)
      fmt::print(out, " {} {} {} {}", cell(row.true_input_imbalance, 9), cell(row.true_recorded_imbalance, 9),
                 cell(row.true_replayed_imbalance, 9),
                 cell(row.forecast_error ? std::optional<double>(100.0 * *row.forecast_error) : std::nullopt, 6, "%"));
    fmt::print(out, "\n");
    if (row.true_input_imbalance && row.true_recorded_imbalance && row.true_replayed_imbalance) {
      ++truths;
      true_input += *row.true_input_imbalance;
      true_recorded += *row.true_recorded_imbalance;
      true_replayed += *row.true_replayed_imbalance;
      errors += row.forecast_error.value_or(0.0);
    }
  }
  const std::size_t planned = rows.size() - failures;
  const double n = planned > 0 ? static_cast<double>(planned) : 1.0;
  fmt::print(out,
             "\ntotals over {} epochs: recorded {} moves, mean imbalance {:.3f}; {} {} moves, mean imbalance {:.3f}",
             planned, recorded_moves, recorded_imbalance / n, strategy, replayed_moves, replayed_imbalance / n);
  fmt::print(out, "{}\n", failures > 0 ? fmt::format("; {} epochs rejected", failures) : std::string());
  if (truths > 0) {
    const double t = static_cast<double>(truths);
    fmt::print(out,
               "on the true next costs ({} epochs): mean imbalance {:.3f} before the plans, {:.3f} after the recorded "
               "one, {:.3f} after {}'s; forecast error {:.1f}%\n",
               truths, true_input / t, true_recorded / t, true_replayed / t, strategy, 100.0 * errors / t);
  }
}

}  // namespace penumbra::prof
