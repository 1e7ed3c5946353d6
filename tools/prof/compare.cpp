// penumbra-prof compare: two runs side by side.
#include <fmt/format.h>

#include <map>

#include "commands.hpp"
#include "stats.hpp"
#include "text_format.hpp"

namespace penumbra::prof {

void print_compare(const trace::Trace& a, const trace::Trace& b, std::FILE* out) {
  fmt::print(out, "A = {} ({} ranks, {}, {} epochs)\nB = {} ({} ranks, {}, {} epochs)\n\n", a.header.run_name,
             a.header.ranks, a.header.strategy, a.epochs.size(), b.header.run_name, b.header.ranks, b.header.strategy,
             b.epochs.size());
  fmt::print(out, "{:>6} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>7} {:>7}\n", "epoch", "A act max",
             "B act max", "A imb", "B imb", "A err%", "B err%", "A moves", "B moves", "A ms", "B ms");
  std::map<std::int64_t, const trace::EpochRecord*> in_b;
  for (const auto& record : b.epochs) in_b[record.epoch] = &record;
  std::vector<EpochStats> sa, sb;
  for (const auto& record : a.epochs) sa.push_back(epoch_stats(record));
  for (const auto& record : b.epochs) sb.push_back(epoch_stats(record));
  for (const auto& ea : sa) {
    auto match = in_b.find(ea.epoch);
    if (match == in_b.end()) continue;
    const EpochStats eb = epoch_stats(*match->second);
    fmt::print(out, "{:>6} {:>9.4f} {:>9.4f} {:>7.2f} {:>7.2f} {:>7} {:>7} {:>9} {:>9} {:>7.2f} {:>7.2f}\n", ea.epoch,
               ea.actual_max, eb.actual_max, ea.imbalance, eb.imbalance, percent_or_dash(ea.prediction_error),
               percent_or_dash(eb.prediction_error), ea.moves, eb.moves, ms(ea.epoch_seconds), ms(eb.epoch_seconds));
  }
  const RunTotals ta = run_totals(sa), tb = run_totals(sb);
  fmt::print(out, "\n{:<28} {:>14} {:>14}\n", "totals", "A", "B");
  fmt::print(out, "{:<28} {:>14} {:>14}\n", "epochs", ta.epochs, tb.epochs);
  fmt::print(out, "{:<28} {:>14.3f} {:>14.3f}\n", "mean imbalance (max/mean)", ta.mean_imbalance, tb.mean_imbalance);
  fmt::print(out, "{:<28} {:>14.1f} {:>14.1f}\n", "mean prediction error %", 100 * ta.mean_prediction_error,
             100 * tb.mean_prediction_error);
  fmt::print(out, "{:<28} {:>14} {:>14}\n", "moves", ta.moves, tb.moves);
  fmt::print(out, "{:<28} {:>14} {:>14}\n", "bytes moved", ta.bytes, tb.bytes);
  fmt::print(out, "{:<28} {:>14.3f} {:>14.3f}\n", "time in epochs ms", ms(ta.epoch_seconds), ms(tb.epoch_seconds));
}

}  // namespace penumbra::prof
