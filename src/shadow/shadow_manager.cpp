#include "shadow/shadow_manager.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "mpi/collectives.hpp"
#include "shadow/budget.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::shadow {
namespace {

std::uint64_t steady_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// Records exchanged in the epoch's alltoallv rounds (trivially copyable).
struct ReadRecord {
  ObjectId id;
  double reads;
};
enum class ProposalKind : std::int32_t { create = 1, keep, drop };
struct Proposal {
  ObjectId id;
  std::uint64_t payload_capacity;
  double value_us;
  SlotAddress slot;  // drop/keep: the slot concerned
  ProposalKind kind;
};
enum class AnswerKind : std::int32_t { accepted = 1, refused, evicted };
struct Answer {
  ObjectId id;
  SlotAddress slot;
  AnswerKind kind;
};
// A moved object's copy, from its old owner to its new one (hand_over_moved).
enum class HandedKind : std::int32_t { live = 1, releasing };
struct HandedSlot {
  ObjectId id;
  SlotAddress slot;  // releasing: only the holder's rank is meaningful
  HandedKind kind;
};

}  // namespace

ShadowManager::ShadowManager(const mpi::Communicator& comm, std::size_t budget_bytes, StalenessBound bound,
                             std::size_t resident_bytes)
    : comm_(comm), window_(comm, budget_bytes, resident_bytes), bound_(bound) {}

std::size_t ShadowManager::resident_count() const noexcept {
  // Resident and adopted: the store's value is made of the slot (the sink took it, and still holds it).
  return static_cast<std::size_t>(std::count_if(home_.begin(), home_.end(), [](const auto& home) {
    return home.second.resident && !home.second.value.expired();
  }));
}

const HeldShadow* ShadowManager::held(ObjectId id) const {
  auto found = held_.find(id);
  return found == held_.end() ? nullptr : &found->second;
}

HeldShadow* ShadowManager::held(ObjectId id) {
  auto found = held_.find(id);
  return found == held_.end() ? nullptr : &found->second;
}

SlotRead ShadowManager::read_held(ObjectId id, HeldShadow& shadow, Bytes& out) {
  SlotRead read = window_.read_local(shadow.slot, id, shadow.verified, out);
  if (read.check.state == SlotState::valid) shadow.verified = read.check.version;
  return read;
}

SlotRead ShadowManager::read_held_into(ObjectId id, HeldShadow& shadow, std::span<std::byte> out) {
  SlotRead read = window_.read_local_into(shadow.slot, id, shadow.verified, out);
  if (read.check.state == SlotState::valid) shadow.verified = read.check.version;
  return read;
}

const std::vector<SlotAddress>& ShadowManager::copies_of(ObjectId id) const {
  static const std::vector<SlotAddress> none;
  auto found = copies_.find(id);
  return found == copies_.end() ? none : found->second;
}

std::optional<SlotAddress> ShadowManager::home_copy(ObjectId id) const {
  auto found = home_.find(id);
  if (found == home_.end()) return std::nullopt;
  return found->second.slot;
}

std::size_t ShadowManager::copy_count() const noexcept {
  std::size_t count = 0;
  for (const auto& [id, slots] : copies_) count += slots.size();
  return count;
}

std::vector<std::int64_t> ShadowManager::versions_behind() const {
  std::vector<std::int64_t> behind;
  for (const auto& [id, slots] : copies_) {
    auto pending = pending_.find(id);
    const std::int64_t lag = pending == pending_.end() ? 0
                                                       : static_cast<std::int64_t>(pending->second.version) -
                                                             static_cast<std::int64_t>(pending->second.pushed);
    behind.insert(behind.end(), slots.size(), std::max<std::int64_t>(lag, 0));
  }
  return behind;
}

void ShadowManager::note_write(ObjectId id, Version version, detail::ValuePtr value) {
  writes_[id] += 1;
  // The pending version first: it lets go of the previous value, which may be made of the home slot's bytes
  // that are rewritten below (a value still held there would have to be copied out first).
  auto copies = copies_.find(id);
  Pending* pending = nullptr;
  if (copies != copies_.end() && !copies->second.empty()) {
    pending = &pending_[id];
    if (pending->version == pending->pushed) {
      pending->first_unpushed = std::chrono::steady_clock::now();
      unpushed_.push_back(id);
    }
    pending->version = version;
    pending->value = value;
  }
  auto home = home_.find(id);
  if (home == home_.end()) return;
  // A value that outgrew its slot, or (resident) whose decoded form the store keeps: readers find the slot
  // empty and ask the owner until the next epoch publishes anew.
  if (value->bytes().size() > home->second.slot.capacity || (home->second.resident && !value->plain_bytes())) {
    release_home(id);
    return;
  }
  if (detail::ValuePtr resident = write_home(id, home->second, version, value); resident && pending)
    pending->value = std::move(resident);  // pushes read the slot: the private value can go
}

void ShadowManager::stage_push(ObjectId id, const Pending& pending, const std::vector<SlotAddress>& targets) {
  const std::span<const std::byte> payload = pending.value->bytes();
  const SlotHeader header = make_slot_header(id, pending.version, pending.value->type_tag(), payload, steady_ns());
  for (const SlotAddress& slot : targets) {
    window_.stage_begin(slot, pending.version);
    window_.stage_body(slot, header, payload, pending.value);
  }
}

detail::ValuePtr ShadowManager::write_home(ObjectId id, HomeCopy& home, Version version,
                                           const detail::ValuePtr& value) {
  if (const auto held = home.value.lock()) held->detach();  // the old version's bytes, for whoever holds them
  const std::span<const std::byte> payload = value->bytes();
  window_.write_local(home.slot, make_slot_header(id, version, value->type_tag(), payload, steady_ns()), payload);
  if (!home.resident) return nullptr;
  auto resident = std::make_shared<const ResidentValue>(value->type_tag(), window_.local_payload(home.slot),
                                                        payload.size());
  home.value = resident;
  resident_sink_(id, version, resident);
  return resident;
}

std::optional<SlotAddress> ShadowManager::reserve_resident_slot(const detail::ValuePtr& value, std::size_t capacity) {
  if (!resident_sink_ || !value->plain_bytes()) return std::nullopt;
  return window_.reserve(capacity, Region::resident);
}

void ShadowManager::install_home(ObjectId id, SlotAddress slot, double value_us, bool resident, Version version,
                                 const detail::ValuePtr& value) {
  HomeCopy& home = home_[id] = HomeCopy{slot, value_us, resident, {}};
  write_home(id, home, version, value);
}

void ShadowManager::release_home(ObjectId id) {
  auto home = home_.find(id);
  if (home == home_.end()) return;
  if (const auto held = home->second.value.lock()) held->detach();  // the store's value keeps its bytes
  window_.release(home->second.slot);
  home_.erase(home);
  home_released_.push_back(id);
}

std::size_t ShadowManager::propagate(bool force, std::vector<ObjectId>* dropped_out) {
  if (unpushed_.empty() && !window_.has_staged_writes()) return 0;  // the common case on every runtime call
  const auto now = std::chrono::steady_clock::now();
  std::size_t pushes = 0;
  std::size_t kept = 0;  // unpushed_ is compacted in place: ids still pending stay, in order
  for (const ObjectId id : unpushed_) {
    auto found = pending_.find(id);
    if (found == pending_.end() || found->second.version <= found->second.pushed) continue;
    Pending& pending = found->second;
    const bool too_many = static_cast<std::int64_t>(pending.version - pending.pushed) > bound_.max_versions_behind;
    const bool too_old =
        std::chrono::duration<double, std::micro>(now - pending.first_unpushed).count() >= bound_.max_age_us;
    if (!force && !too_many && !too_old) {
      unpushed_[kept++] = id;
      continue;
    }
    std::vector<SlotAddress>& targets = copies_[id];
    // A value that outgrew a slot cannot be pushed there: mark the slot "being written" so its readers go to
    // the owner, and release it at the next epoch.
    const std::size_t size = pending.value->bytes().size();
    for (auto it = targets.begin(); it != targets.end();) {
      if (size <= it->capacity) {
        ++it;
        continue;
      }
      window_.stage_begin(*it, pending.version);
      forgotten_.emplace_back(it->rank, id);
      if (dropped_out) dropped_out->push_back(id);
      it = targets.erase(it);
    }
    stage_push(id, pending, targets);
    pushes += targets.size();
    pending.pushed = pending.version;
    ++counters_.pushes;
  }
  unpushed_.resize(kept);
  const auto flush_started = std::chrono::steady_clock::now();
  const std::size_t bytes = window_.flush_writes();
  if (pushes > 0) {
    const double per_push =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - flush_started).count() /
        static_cast<double>(pushes);
    push_us_ = push_us_ ? 0.9 * *push_us_ + 0.1 * per_push : per_push;
  }
  counters_.bytes_pushed += bytes;
  return bytes;
}

void ShadowManager::forget_owned(std::span<const ObjectId> ids) {
  for (ObjectId id : ids) {
    release_home(id);
    auto pending = pending_.find(id);
    const Version next = pending != pending_.end() ? pending->second.version + 1 : 1;
    if (auto copies = copies_.find(id); copies != copies_.end()) {
      for (const SlotAddress& slot : copies->second) {
        window_.stage_begin(slot, next);
        forgotten_.emplace_back(slot.rank, id);
      }
      copies_.erase(copies);
    }
    if (pending != pending_.end()) pending_.erase(pending);  // its unpushed_ entry is skipped from now on
  }
  window_.flush_writes();
}

void ShadowManager::hand_over_moved(std::span<const MovedAway> moved_away, const std::function<int(ObjectId)>& owner_of,
                                    const OwnedValue& owned_value) {
  const int ranks = comm_.size();
  const int me = comm_.rank();
  // Every copy at its object's last version first: the new owner goes on from the version it received.
  propagate(true);

  // 1. Old owner: each object that left takes its copies with it, and this rank's value stays as a shadow.
  std::vector<std::vector<HandedSlot>> handed_out(static_cast<std::size_t>(ranks));
  std::unordered_map<ObjectId, int> gone_to;
  for (const MovedAway& moved : moved_away) {
    if (moved.to < 0 || moved.to >= ranks || moved.to == me)
      throw InvalidArgument("shadow hand-over: object " + to_string(moved.id) + " moved from rank " +
                            std::to_string(me) + " to rank " + std::to_string(moved.to) + " (expected another rank < " +
                            std::to_string(ranks) + ")");
    gone_to[moved.id] = moved.to;
    std::vector<HandedSlot>& to_new_owner = handed_out[static_cast<std::size_t>(moved.to)];
    if (auto copies = copies_.find(moved.id); copies != copies_.end()) {
      for (const SlotAddress& slot : copies->second) to_new_owner.push_back({moved.id, slot, HandedKind::live});
      copies_.erase(copies);
    }
    pending_.erase(moved.id);  // its unpushed_ entry is skipped from now on
    writes_.erase(moved.id);
    release_home(moved.id);  // before the copy below: frees its room, and detaches a resident value from the slot
    if (!moved.value) continue;
    const std::span<const std::byte> payload = moved.value->bytes();
    // No eviction for it: the next epoch values it against the others (it starts as the cheapest to evict).
    const std::optional<SlotAddress> slot = window_.reserve(payload_capacity_for(payload.size()));
    if (!slot) continue;
    window_.write_local(*slot, make_slot_header(moved.id, moved.version, moved.value->type_tag(), payload, steady_ns()),
                        payload);
    held_[moved.id] = HeldShadow{moved.to, *slot, 0, 0.0};
    to_new_owner.push_back({moved.id, *slot, HandedKind::live});
  }
  // Copies being released (outgrown values) go with their object too: the holder takes the release from the
  // new owner, whom it names as the owner from now on.
  std::erase_if(forgotten_, [&](const std::pair<int, ObjectId>& forgotten) {
    const auto moved = gone_to.find(forgotten.second);
    if (moved == gone_to.end()) return false;
    handed_out[static_cast<std::size_t>(moved->second)].push_back(
        {forgotten.second, SlotAddress{forgotten.first, 0, 0}, HandedKind::releasing});
    return true;
  });
  const auto handed_in = mpi::alltoallv(comm_, handed_out);

  // 2. New owner: it pushes to the copies from now on, starting from the version it received.
  std::vector<ObjectId> adopted;
  for (const std::vector<HandedSlot>& from_old_owner : handed_in)
    for (const HandedSlot& handed : from_old_owner) {
      if (handed.slot.rank == me) continue;  // a copy this rank held: released below, as the object's owner
      if (handed.kind == HandedKind::releasing) {
        forgotten_.emplace_back(handed.slot.rank, handed.id);
        continue;
      }
      copies_[handed.id].push_back(handed.slot);
      adopted.push_back(handed.id);
    }
  for (ObjectId id : adopted) {
    if (pending_.count(id)) continue;
    const auto [value, version] = owned_value(id);
    if (!value) {  // cannot happen after a landing; release rather than push into slots nobody values
      for (const SlotAddress& slot : copies_[id]) forgotten_.emplace_back(slot.rank, id);
      copies_.erase(id);
      continue;
    }
    pending_[id] = Pending{.version = version, .pushed = version, .value = value, .first_unpushed = {}};
    counters_.copies_kept_at_moves += copies_[id].size();
  }

  // 3. Holders: the new owner pushes, proposes and hears evictions from now on; its own copy goes.
  for (auto held = held_.begin(); held != held_.end();) {
    const int owner = owner_of(held->first);
    if (owner == me) {
      window_.release(held->second.slot);
      held = held_.erase(held);
      continue;
    }
    if (owner >= 0 && owner < ranks) held->second.owner = owner;
    ++held;
  }
}

bool ShadowManager::publish_home(ObjectId id, double value_us, const OwnedValue& owned_value) {
  if (home_.count(id)) return false;
  const auto [value, version] = owned_value(id);
  if (!value) return false;
  const std::size_t capacity = payload_capacity_for(value->bytes().size());
  std::optional<SlotAddress> slot = reserve_resident_slot(value, capacity);
  const bool resident = slot.has_value();
  if (!slot) slot = window_.reserve(capacity);
  if (!slot) return false;
  install_home(id, *slot, value_us, resident, version, value);
  home_published_ahead_.push_back(id);
  ++counters_.homes_published_ahead;
  return true;
}

ShadowEpochReport ShadowManager::run_epoch(const std::function<int(ObjectId)>& owner_of, const OwnedValue& owned_value,
                                           const Planner& planner, const DeclaredReads& declared_reads) {
  const int ranks = comm_.size();
  const int me = comm_.rank();
  const auto P = static_cast<std::size_t>(ranks);
  ShadowEpochReport report;
  report.bytes_pushed += propagate(true);  // nothing may be in flight while slots change hands

  // 1. Read counts travel to the owners.
  std::vector<std::vector<ReadRecord>> counts_out(P);
  for (const auto& [id, count] : reads_) {
    const int owner = owner_of(id);
    if (owner != me && owner >= 0 && owner < ranks)
      counts_out[static_cast<std::size_t>(owner)].push_back({id, count.count});
  }
  reads_.clear();
  const auto counts_in = mpi::alltoallv(comm_, counts_out);

  // 2. The owner's view of each object that was read remotely or has copies.
  std::unordered_map<ObjectId, OwnedObjectStats> stats;
  auto stats_of = [&](ObjectId id) -> OwnedObjectStats& {
    OwnedObjectStats& s = stats[id];
    if (s.reads_by_rank.empty()) {
      s.id = id;
      s.reads_by_rank.assign(P, 0.0);
    }
    return s;
  };
  for (std::size_t reader = 0; reader < P; ++reader)
    for (const ReadRecord& record : counts_in[reader]) stats_of(record.id).reads_by_rank[reader] += record.reads;
  for (const auto& [id, slots] : copies_)
    for (const SlotAddress& slot : slots) stats_of(id).holders.push_back(slot.rank);
  for (const auto& [id, home] : home_) stats_of(id).home_copy = true;
  for (const auto& [id, reads] : declared_reads) stats_of(id).declared_reads_by_rank = reads;  // validated by the planner
  std::vector<OwnedObjectStats> inputs;
  for (auto& [id, s] : stats) {
    const auto [value, version] = owned_value(id);
    if (!value) {  // no longer ours (migrated or erased): its holders are released below
      release_home(id);
      continue;
    }
    s.size_bytes = value->bytes().size();
    s.writes = writes_.count(id) ? writes_[id] : 0.0;
    inputs.push_back(std::move(s));
  }
  std::sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  writes_.clear();
  const std::vector<DesiredShadow> desired = planner(inputs);

  // 3. Owner: the difference between the wanted and the current holders becomes proposals.
  std::vector<std::vector<Proposal>> proposals_out(P);
  std::unordered_map<ObjectId, std::vector<DesiredShadow>> wanted;
  std::unordered_map<ObjectId, double> wanted_home;
  for (const DesiredShadow& d : desired) {
    if (d.holder < 0 || d.holder >= ranks)
      throw InvalidArgument("shadow planner proposed holder rank " + std::to_string(d.holder) + " for object " +
                            to_string(d.id) + " owned by rank " + std::to_string(me));
    if (d.holder == me)
      wanted_home[d.id] = d.value_us;
    else
      wanted[d.id].push_back(d);
  }
  struct Candidate {
    Proposal proposal;
    int owner;
  };
  std::vector<Candidate> creations;  // this rank's own home copies join the other owners' proposals in step 4
  for (const OwnedObjectStats& s : inputs) {
    if (auto home = wanted_home.find(s.id); home != wanted_home.end()) {
      if (auto current = home_.find(s.id); current != home_.end())
        current->second.value_us = home->second;
      else
        creations.push_back({{s.id, payload_capacity_for(s.size_bytes), home->second, SlotAddress{},
                              ProposalKind::create},
                             me});
    } else if (home_.count(s.id)) {
      release_home(s.id);
    }
    std::vector<SlotAddress>& current = copies_[s.id];
    const std::vector<DesiredShadow>& want = wanted[s.id];
    for (auto it = current.begin(); it != current.end();) {
      auto match = std::find_if(want.begin(), want.end(), [&](const DesiredShadow& d) { return d.holder == it->rank; });
      if (match == want.end()) {
        proposals_out[static_cast<std::size_t>(it->rank)].push_back({s.id, 0, 0.0, *it, ProposalKind::drop});
        report.changed.push_back(s.id);
        ++report.dropped;
        it = current.erase(it);
      } else {
        proposals_out[static_cast<std::size_t>(it->rank)].push_back(
            {s.id, 0, match->value_us, *it, ProposalKind::keep});
        ++it;
      }
    }
    for (const DesiredShadow& d : want) {
      if (std::any_of(current.begin(), current.end(), [&](const SlotAddress& a) { return a.rank == d.holder; }))
        continue;
      proposals_out[static_cast<std::size_t>(d.holder)].push_back(
          {s.id, payload_capacity_for(s.size_bytes), d.value_us, SlotAddress{}, ProposalKind::create});
    }
    if (current.empty()) copies_.erase(s.id);
  }
  for (const auto& [holder, id] : forgotten_)
    proposals_out[static_cast<std::size_t>(holder)].push_back({id, 0, 0.0, SlotAddress{}, ProposalKind::drop});
  forgotten_.clear();
  const auto proposals_in = mpi::alltoallv(comm_, proposals_out);

  // 4. Holder: drops first (they free room), then creations by value density within the budget, evicting
  // held shadows worth less per byte than the newcomer.
  std::vector<std::vector<Answer>> answers_out(P);
  for (std::size_t owner = 0; owner < P; ++owner) {
    for (const Proposal& p : proposals_in[owner]) {
      auto held = held_.find(p.id);
      if (p.kind == ProposalKind::drop) {
        if (held != held_.end() && held->second.owner == static_cast<int>(owner)) {
          window_.release(held->second.slot);
          held_.erase(held);
        }
      } else if (p.kind == ProposalKind::keep) {
        if (held != held_.end()) held->second.value_us = p.value_us;
      } else {
        creations.push_back({p, static_cast<int>(owner)});
      }
    }
  }
  std::sort(creations.begin(), creations.end(), [](const Candidate& a, const Candidate& b) {
    const double da = value_density(a.proposal.value_us, a.proposal.payload_capacity);
    const double db = value_density(b.proposal.value_us, b.proposal.payload_capacity);
    return da != db ? da > db : a.proposal.id < b.proposal.id;
  });
  // Held shadows and this rank's home copies share the window, so both give way to a newcomer worth more per
  // byte. (Home copies used to be exempt: once published they kept their slots whatever came later, and under
  // a tight budget they held most of the window while the rank's own hottest reads went to other ranks.)
  const auto evict_cheapest_below = [&](double newcomer) {
    std::vector<WindowResident> residents;
    residents.reserve(held_.size() + home_.size());
    for (const auto& [id, held] : held_) residents.push_back({id, held.value_us, held.slot.capacity, false});
    for (const auto& [id, home] : home_)  // resident ones live in their own region: evicting them frees nothing here
      if (!home.resident) residents.push_back({id, home.value_us, home.slot.capacity, true});
    const std::optional<std::size_t> chosen = resident_to_evict(residents, newcomer);
    if (!chosen) return false;
    const WindowResident& evicted = residents[*chosen];
    if (evicted.home_copy) {
      release_home(evicted.id);  // counted in home_released; readers ask the owner again, the metadata hears it
      return true;
    }
    const auto shadow = held_.find(evicted.id);
    answers_out[static_cast<std::size_t>(shadow->second.owner)].push_back(
        {shadow->first, shadow->second.slot, AnswerKind::evicted});
    window_.release(shadow->second.slot);
    held_.erase(shadow);
    ++report.evicted;
    return true;
  };
  for (const Candidate& c : creations) {
    const double newcomer = value_density(c.proposal.value_us, c.proposal.payload_capacity);
    std::optional<SlotAddress> slot;
    detail::ValuePtr own_value;
    Version own_version = 0;
    if (c.owner == me) {  // a home copy
      std::tie(own_value, own_version) = owned_value(c.proposal.id);
      slot = reserve_resident_slot(own_value, c.proposal.payload_capacity);
    }
    const bool resident = slot.has_value();
    if (!slot) slot = window_.reserve(c.proposal.payload_capacity);
    while (!slot && evict_cheapest_below(newcomer)) slot = window_.reserve(c.proposal.payload_capacity);
    if (slot && c.owner == me) {
      install_home(c.proposal.id, *slot, c.proposal.value_us, resident, own_version, own_value);
      report.changed.push_back(c.proposal.id);
      ++report.home_published;
    } else if (c.owner == me) {
      ++report.refused;
    } else if (slot) {
      held_[c.proposal.id] = HeldShadow{c.owner, *slot, 0, c.proposal.value_us};
      answers_out[static_cast<std::size_t>(c.owner)].push_back({c.proposal.id, *slot, AnswerKind::accepted});
    } else {
      answers_out[static_cast<std::size_t>(c.owner)].push_back({c.proposal.id, SlotAddress{}, AnswerKind::refused});
    }
  }
  const auto answers_in = mpi::alltoallv(comm_, answers_out);

  // 5. Owner: record accepted slots, forget evicted ones, fill new slots with the current value.
  for (std::size_t holder = 0; holder < P; ++holder) {
    for (const Answer& a : answers_in[holder]) {
      if (a.kind == AnswerKind::refused) {
        ++report.refused;
        continue;
      }
      report.changed.push_back(a.id);
      std::vector<SlotAddress>& current = copies_[a.id];
      if (a.kind == AnswerKind::evicted) {
        std::erase(current, a.slot);
        if (current.empty()) copies_.erase(a.id);
        continue;
      }
      const auto [value, version] = owned_value(a.id);
      if (!value) {  // cannot happen inside an epoch; release rather than leave an empty slot registered
        forgotten_.emplace_back(a.slot.rank, a.id);
        continue;
      }
      current.push_back(a.slot);
      ++report.created;
      Pending& pending = pending_[a.id];
      pending.version = version;
      pending.pushed = version;
      pending.value = value;
      stage_push(a.id, pending, {a.slot});
    }
  }
  report.home_released = home_released_.size();
  report.changed.insert(report.changed.end(), home_released_.begin(), home_released_.end());
  home_released_.clear();
  report.changed.insert(report.changed.end(), home_published_ahead_.begin(), home_published_ahead_.end());
  home_published_ahead_.clear();
  for (auto it = pending_.begin(); it != pending_.end();)
    it = copies_.count(it->first) ? std::next(it) : pending_.erase(it);
  unpushed_.clear();  // propagate(true) above pushed everything; entries added since are pushed
  for (const auto& [id, pending] : pending_)
    if (pending.version > pending.pushed) unpushed_.push_back(id);
  report.bytes_pushed += window_.flush_writes();
  std::sort(report.changed.begin(), report.changed.end());
  report.changed.erase(std::unique(report.changed.begin(), report.changed.end()), report.changed.end());
  return report;
}

}  // namespace penumbra::shadow
