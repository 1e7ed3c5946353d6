#include "balance/coordination.hpp"

#include <algorithm>
#include <numeric>

namespace penumbra::balance {
namespace {

// Rounds per level: a receiver that rejects tells its new room, the donors retry once or twice, and what
// still does not fit goes up to the next level (a larger group) instead of bouncing here.
constexpr int kRoundsPerLevel = 3;
// Loads are sums of many small costs: compare with a tolerance so that an exact fill is not a rejection.
constexpr double kSlack = 1e-12;

struct Proposal {
  int donor_slot = 0;  // index into CoordinationInput::donors
  std::size_t candidate = 0;
  int target = 0;
  double cost_on_target = 0.0;
  double gain = 0.0;
  bool preferred = false;
};

// A share of one receiver's room the group's pairing gives one donor.
struct Slice {
  int receiver = 0;
  double quota = 0.0;
};

class Protocol {
 public:
  explicit Protocol(const CoordinationInput& input) : in_(input), load_(input.ranks.size()) {
    const int ranks = static_cast<int>(input.ranks.size());
    for (int p = 0; p < ranks; ++p) load_[p] = input.ranks[p].load;
    // Nodes numbered 0..N-1 in order of their index; ranks ordered by (node, rank), so that every group of
    // every level is one contiguous span of `order_`.
    std::vector<int> nodes(ranks);
    for (int p = 0; p < ranks; ++p) nodes[p] = input.ranks[p].node;
    std::ranges::sort(nodes);
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    node_count_ = static_cast<int>(nodes.size());
    node_position_.resize(ranks);
    for (int p = 0; p < ranks; ++p)
      node_position_[p] = static_cast<int>(std::ranges::lower_bound(nodes, input.ranks[p].node) - nodes.begin());
    order_.resize(ranks);
    std::iota(order_.begin(), order_.end(), 0);
    std::ranges::stable_sort(order_, [&](int a, int b) { return node_position_[a] < node_position_[b]; });
    donor_slot_.assign(ranks, -1);
    for (std::size_t k = 0; k < input.donors.size(); ++k) donor_slot_[input.donors[k]] = static_cast<int>(k);
    taken_.resize(input.donors.size());
    for (std::size_t k = 0; k < input.donors.size(); ++k) taken_[k].assign(input.candidates[k].size(), false);
  }

  CoordinationResult run() {
    int levels = 1;
    while ((1 << (levels - 1)) < node_count_) ++levels;
    for (int level = 0; level < levels; ++level) {
      if (!any_donor_left()) break;
      run_level(level);
    }
    return std::move(result_);
  }

 private:
  double excess(int rank) const { return load_[rank] - in_.ranks[rank].shed_to; }
  double room(int rank) const { return in_.ranks[rank].fill_to - load_[rank]; }
  int group(int rank, int level) const { return node_position_[rank] >> level; }
  double cost_on(const Candidate& c, int donor, int target) const {
    return c.cost * in_.ranks[donor].speed / in_.ranks[target].speed;
  }

  bool any_donor_left() const {
    for (int donor : in_.donors)
      if (excess(donor) > kSlack) return true;
    return false;
  }

  // A visited level costs at least one round (the summaries go up and the pairings come down even when no
  // group can settle anything), so the rounds of a plan grow like log2(nodes).
  void run_level(int level) {
    bool active = false;
    int rounds = 0;
    for (int round = 0; round < kRoundsPerLevel; ++round) {
      std::vector<Proposal> proposals;
      // Groups are contiguous spans of order_.
      for (std::size_t begin = 0; begin < order_.size();) {
        std::size_t end = begin;
        const int g = group(order_[begin], level);
        while (end < order_.size() && group(order_[end], level) == g) ++end;
        propose_in_group(begin, end, level, round, proposals, active);
        begin = end;
      }
      if (proposals.empty()) break;
      ++rounds;
      if (accept(proposals, level) == 0) break;
    }
    result_.rounds += std::max(1, rounds);
    if (active) ++result_.levels;
  }

  // The leader's pairing: donors (in order) take the receivers' room (in order) as consecutive slices, so a
  // donor's work goes to few receivers and two donors are never told the same room.
  void propose_in_group(std::size_t begin, std::size_t end, int level, int round, std::vector<Proposal>& proposals,
                        bool& active) {
    std::vector<int> donors, receivers;
    for (std::size_t i = begin; i < end; ++i) {
      const int rank = order_[i];
      if (donor_slot_[rank] >= 0 && excess(rank) > kSlack)
        donors.push_back(rank);
      else if (donor_slot_[rank] < 0 && room(rank) > kSlack)
        receivers.push_back(rank);
    }
    if (donors.empty()) return;
    if (round == 0)  // summaries up and pairings down: per member at a node, per merged group above
      result_.messages += level == 0 ? 2 * (donors.size() + receivers.size()) : 2;
    if (receivers.empty()) return;
    active = true;
    std::size_t next_receiver = 0;
    double left_in_receiver = room(receivers[0]);
    for (int donor : donors) {
      std::vector<Slice> slices;
      double wanted = excess(donor);
      while (wanted > kSlack && next_receiver < receivers.size()) {
        const double share = std::min(wanted, left_in_receiver);
        slices.push_back({receivers[next_receiver], share});
        wanted -= share;
        left_in_receiver -= share;
        if (left_in_receiver <= kSlack && ++next_receiver < receivers.size())
          left_in_receiver = room(receivers[next_receiver]);
      }
      propose_for_donor(donor, level, slices, proposals);
    }
  }

  void propose_for_donor(int donor, int level, std::vector<Slice>& slices, std::vector<Proposal>& proposals) {
    const int slot = donor_slot_[donor];
    const auto& candidates = in_.candidates[slot];
    double wanted = excess(donor);
    std::vector<std::pair<int, double>> own;  // what this donor proposed to each receiver this round
    const auto own_pending = [&own](int rank) {
      for (const auto& [r, amount] : own)
        if (r == rank) return amount;
      return 0.0;
    };
    for (std::size_t k = 0; k < candidates.size() && wanted > kSlack; ++k) {
      if (taken_[slot][k]) continue;
      const Candidate& c = candidates[k];
      // An object more than twice what is left to shed would overshoot by more than it relieves.
      if (c.cost > 2.0 * wanted) continue;
      int target = -1;
      bool preferred = false;
      // Affinity first: the rank the object belongs with, when it is in this group and has room.
      if (c.preferred >= 0 && c.preferred != donor && donor_slot_[c.preferred] < 0 &&
          group(c.preferred, level) == group(donor, level) &&
          room(c.preferred) - own_pending(c.preferred) >= cost_on(c, donor, c.preferred) - kSlack) {
        target = c.preferred;
        preferred = true;
      }
      // Else the first slice whose quota is not spent and whose receiver stays under its limit.
      std::size_t slice = slices.size();
      for (std::size_t s = 0; target < 0 && s < slices.size(); ++s) {
        const int r = slices[s].receiver;
        if (slices[s].quota > kSlack &&
            in_.ranks[r].limit - load_[r] - own_pending(r) >= cost_on(c, donor, r) - kSlack) {
          target = r;
          slice = s;
        }
      }
      if (target < 0) continue;  // too big for any room this donor was given: maybe at a higher level
      const double gain = in_.gain(static_cast<std::size_t>(slot), k, target);
      if (!(gain > 0.0)) continue;  // does not pay back its transfer within the epoch: stays
      const double on_target = cost_on(c, donor, target);
      if (slice < slices.size()) slices[slice].quota -= on_target;
      auto mine = std::ranges::find_if(own, [target](const auto& entry) { return entry.first == target; });
      if (mine == own.end())
        own.emplace_back(target, on_target);
      else
        mine->second += on_target;
      proposals.push_back({slot, k, target, on_target, gain, preferred});
      wanted -= c.cost;
    }
  }

  // Each receiver takes its proposals by largest gain, then lowest object position (the ids ascend with it in
  // the snapshots we build; either way the order is the same on every rank), while they fit under its limit.
  std::size_t accept(std::vector<Proposal>& proposals, int level) {
    std::ranges::sort(proposals, [&](const Proposal& a, const Proposal& b) {
      if (a.target != b.target) return a.target < b.target;
      if (a.gain != b.gain) return a.gain > b.gain;
      const auto oa = in_.candidates[a.donor_slot][a.candidate].object;
      const auto ob = in_.candidates[b.donor_slot][b.candidate].object;
      return oa < ob;
    });
    std::size_t accepted = 0;
    std::vector<std::pair<int, int>> pairs;  // (donor, target) with a message each way
    for (const Proposal& p : proposals) {
      const int donor = in_.donors[p.donor_slot];
      pairs.emplace_back(donor, p.target);
      if (load_[p.target] + p.cost_on_target > in_.ranks[p.target].limit + kSlack) continue;  // rejected
      const Candidate& c = in_.candidates[p.donor_slot][p.candidate];
      taken_[p.donor_slot][p.candidate] = true;
      load_[donor] -= c.cost;
      load_[p.target] += p.cost_on_target;
      const MoveReason reason = level == 0    ? MoveReason::node_local
                                : p.preferred ? MoveReason::affinity
                                              : MoveReason::overload;
      result_.moves.push_back(PlannedMove{ObjectId{}, donor, p.target, 0, reason, p.gain});
      result_.objects.push_back(c.object);
      ++accepted;
    }
    std::ranges::sort(pairs);
    result_.messages += 2 * static_cast<std::uint64_t>(std::unique(pairs.begin(), pairs.end()) - pairs.begin());
    return accepted;
  }

  const CoordinationInput& in_;
  std::vector<double> load_;
  std::vector<int> node_position_, order_, donor_slot_;
  int node_count_ = 1;
  std::vector<std::vector<bool>> taken_;
  CoordinationResult result_;
};

}  // namespace

CoordinationResult coordinate(const CoordinationInput& input) { return Protocol(input).run(); }

}  // namespace penumbra::balance
