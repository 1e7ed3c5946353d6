#include "metadata/service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <utility>

#include "metadata/batch.hpp"
#include "metadata/record.hpp"
#include "mpi/agreement.hpp"
#include "mpi/collectives.hpp"
#include "penumbra/errors.hpp"
#include "transport/messenger.hpp"
#include "transport/status.hpp"

namespace penumbra::metadata {
namespace {

// Every rank must lay the window out alike: a rank with other options would read the wrong bytes. Checked
// collectively, so that every rank fails together instead of some waiting in MPI_Win_allocate.
Layout agreed_layout(const mpi::Communicator& comm, const Options& options, SelfAccess self_access) {
  mpi::run_agreed(comm, [&] { options.validate(); });
  const std::string text = options.to_string() + (self_access == SelfAccess::rma ? "rma" : "automatic");
  const std::string differing = mpi::ranks_differing_from_root(comm, text);
  if (!differing.empty())
    throw ConfigError("metadata", "options differ from rank 0's on rank(s) " + differing,
                      "the same metadata options on every rank");
  return Layout(options, comm.size());
}

}  // namespace

MetadataService::MetadataService(MPI_Comm comm, const Options& options, SelfAccess self_access)
    : comm_(mpi::Communicator::duplicate(comm)),
      options_(options),
      layout_(agreed_layout(comm_, options, self_access)),
      window_(mpi::Window::allocate(comm_, layout_.window_bytes(comm_.rank()))) {
  // MPI_Win_allocate does not clear its memory; an all-zero record is an empty slot.
  if (window_.bytes() > 0) std::memset(window_.base(), 0, window_.bytes());
  direct_ = self_access == SelfAccess::automatic && window_.unified_memory_model();
  epoch_.emplace(window_);
  if (layout_.is_home(rank())) shard_.emplace(layout_, rank());
  staged_.resize(static_cast<std::size_t>(size()));
  run_.resize(layout_.probe_limit() * layout_.record_bytes());
  window_.sync();
  comm_.barrier();  // every copy is cleared before anyone reads one
}

MetadataService::~MetadataService() = default;  // members: the epoch ends before the window is freed

// ---- lookups ------------------------------------------------------------------------------------------------

std::optional<Entry> MetadataService::lookup(ObjectId id) {
  ++counters_.lookups;
  if (auto cached = cache_.find(id); cached != cache_.end()) {
    ++counters_.cache_hits;
    return cached->second;
  }
  return read_entry(id);
}

const Entry* MetadataService::cached(ObjectId id) {
  const auto found = cache_.find(id);
  if (found == cache_.end()) return nullptr;
  ++counters_.lookups;
  ++counters_.cache_hits;
  return &found->second;
}

std::optional<Entry> MetadataService::lookup(ObjectId id, Version at_least) {
  invalidate_if_newer(id, at_least);
  return lookup(id);
}

std::optional<Entry> MetadataService::fetch(ObjectId id) {
  ++counters_.lookups;
  return read_entry(id);
}

std::optional<Entry> MetadataService::read_entry(ObjectId id) {
  const int home = layout_.home_of(id);
  if (home == rank()) {
    // The home's private copy is the authority its published copies are made from; no need to read them.
    ++counters_.local_reads;
    Record storage;
    const Record* record = shard_->find(id, storage);
    if (record != nullptr && !record->erased) return record->entry;
    ++counters_.not_found;
    return std::nullopt;
  }
  Record record;
  for (int copy = 0; copy < layout_.copies(); ++copy) {
    if (copy > 0) ++counters_.replica_fallbacks;
    for (int attempt = 0; attempt <= kTornRetries; ++attempt) {
      if (attempt > 0) ++counters_.torn_retries;
      const ReadOutcome outcome = read_copy(home, copy, id, record);
      if (outcome == ReadOutcome::invalid) continue;
      if (outcome == ReadOutcome::found && !record.erased) {
        remember(record.entry);
        return std::move(record.entry);
      }
      ++counters_.not_found;
      cache_.erase(id);
      return std::nullopt;
    }
  }
  throw SerializationError(fmt::format(
      "metadata of {}: its probe run fails validation on every copy of the shard of rank {} (held by ranks {}), {} "
      "reads each",
      to_string(id), home, fmt::join(layout_.holders(home), ", "), kTornRetries + 1));
}

MetadataService::ReadOutcome MetadataService::read_copy(int home, int copy, ObjectId id, Record& record) {
  const int target = layout_.holder(home, copy);
  const bool local = target == rank() && direct_;
  const std::size_t start = layout_.home_slot(id);
  const std::size_t size = layout_.record_bytes();
  // One Get of a few consecutive records settles almost every lookup (at a load of 70%, ~2 probes on average);
  // the rest of the probe run only when those all hold other ids.
  const std::size_t first_run = std::min(kFirstRunRecords, layout_.probe_limit());
  std::size_t offset = 0;
  for (const std::size_t count : {first_run, layout_.probe_limit() - first_run}) {
    if (count == 0) break;
    const auto run = std::span(run_).first(count * size);
    read_window(target, layout_.displacement(copy, start + offset), run);
    ++(local ? counters_.local_reads : counters_.gets);
    if (read_filter_) read_filter_(target, copy, run);
    ScanResult scan = scan_run(run, id, layout_.max_locations());
    switch (scan.outcome) {
      case ScanResult::Outcome::found:
        record = std::move(scan.record);
        return ReadOutcome::found;
      case ScanResult::Outcome::absent:
        return ReadOutcome::absent;
      case ScanResult::Outcome::invalid:
        return ReadOutcome::invalid;
      case ScanResult::Outcome::exhausted:
        break;
    }
    offset += count;
  }
  return ReadOutcome::absent;  // the home never places a record beyond the probe limit
}

// ---- the cache ----------------------------------------------------------------------------------------------

void MetadataService::remember(const Entry& entry) {
  if (options_.cache_entries == 0) return;
  if (auto cached = cache_.find(entry.id); cached != cache_.end()) {
    if (cached->second.version <= entry.version) cached->second = entry;
    return;
  }
  if (cache_.size() >= options_.cache_entries) {
    // Evict whatever lies at a cursor that sweeps the buckets (CLOCK without reference bits): O(1) on average,
    // no bookkeeping on hits, and a hot entry evicted by chance costs one Get.
    const std::size_t buckets = cache_.bucket_count();
    for (std::size_t i = 0; i < buckets; ++i) {
      const std::size_t bucket = (eviction_cursor_ + i) % buckets;
      if (cache_.bucket_size(bucket) == 0) continue;
      cache_.erase(cache_.begin(bucket)->first);
      eviction_cursor_ = bucket + 1;
      ++counters_.cache_evictions;
      break;
    }
  }
  cache_.emplace(entry.id, entry);
}

bool MetadataService::invalidate_if_newer(ObjectId id, Version seen) {
  const auto cached = cache_.find(id);
  if (cached == cache_.end() || cached->second.version >= seen) return false;
  cache_.erase(cached);
  return true;
}

void MetadataService::forget(ObjectId id) { cache_.erase(id); }

void MetadataService::clear_cache() { cache_.clear(); }

// ---- updates ------------------------------------------------------------------------------------------------

void MetadataService::stage(Entry entry) { stage_update(Update{Update::Kind::upsert, std::move(entry)}); }

void MetadataService::stage_erase(ObjectId id, Version erased_at) {
  stage_update(Update{Update::Kind::erase, Entry{id, erased_at, -1, {}, 0}});
}

void MetadataService::stage_update(Update update) {
  check_update(update, layout_);
  forget(update.entry.id);
  staged_[static_cast<std::size_t>(layout_.home_of(update.entry.id))].push_back(std::move(update));
  ++staged_count_;
}

std::size_t MetadataService::discard_staged() {
  for (auto& batch : staged_) batch.clear();
  return std::exchange(staged_count_, 0);
}

void MetadataService::flush(transport::Messenger& messenger) {
  const mpi::Communicator& peers = messenger.communicator();
  if (peers.size() != size() || peers.rank() != rank())
    throw InvalidArgument(
        fmt::format("MetadataService::flush: the messenger is rank {} of {}, the service rank {} of {}", peers.rank(),
                    peers.size(), rank(), size()));
  std::vector<std::vector<Update>> batches(staged_.size());
  batches.swap(staged_);
  staged_count_ = 0;
  int home = rank();
  std::size_t acknowledged = 0;  // updates of batches[home] applied by it
  try {
    // Own shard first, then the others starting after this rank, so that the ranks do not all call rank 0 first.
    for (int k = 0; k < size(); ++k) {
      home = (rank() + k) % size();
      std::vector<Update>& batch = batches[static_cast<std::size_t>(home)];
      acknowledged = 0;
      if (home == rank() && !batch.empty()) {
        apply_updates(batch);
        acknowledged = batch.size();
      }
      while (acknowledged < batch.size()) {
        const auto part =
            std::span(batch).subspan(acknowledged, std::min(kMaxUpdatesPerRequest, batch.size() - acknowledged));
        transport::Request request;
        request.operation = transport::Operation::metadata_update;
        request.id = part.front().entry.id;
        request.payload = encode_batch(part);
        const transport::Reply reply = messenger.call(home, request);
        ++counters_.batches_sent;
        if (reply.status != transport::Status::ok) transport::throw_failure(reply, request.id, home);
        acknowledged += part.size();
      }
      batch.clear();
    }
  } catch (...) {
    // Keep what no home acknowledged, ahead of anything staged meanwhile, so nothing is lost or reordered.
    auto& failed = batches[static_cast<std::size_t>(home)];
    failed.erase(failed.begin(), failed.begin() + static_cast<std::ptrdiff_t>(acknowledged));
    for (std::size_t h = 0; h < batches.size(); ++h) {
      if (batches[h].empty()) continue;
      staged_count_ += batches[h].size();
      batches[h].insert(batches[h].end(), std::make_move_iterator(staged_[h].begin()),
                        std::make_move_iterator(staged_[h].end()));
      staged_[h] = std::move(batches[h]);
    }
    throw;
  }
}

ApplyResult MetadataService::apply_batch(std::span<const std::byte> batch) {
  const std::vector<Update> updates = decode_batch(batch, BatchLimits{size(), options_.max_locations});
  return apply_updates(updates);
}

transport::Reply MetadataService::serve(const transport::Request& request) {
  if (request.operation != transport::Operation::metadata_update)
    throw InvalidArgument(fmt::format("metadata service at rank {}: operation {} is not metadata_update ({})", rank(),
                                      static_cast<int>(request.operation),
                                      static_cast<int>(transport::Operation::metadata_update)));
  const ApplyResult result = apply_batch(request.payload);
  transport::Reply reply;
  reply.version = result.applied;
  reply.size_bytes = result.ignored;
  return reply;
}

ApplyResult MetadataService::apply_updates(std::span<const Update> updates) {
  if (!shard_)
    throw InvalidArgument(fmt::format("metadata update reached rank {}, which homes no shard in {} mode", rank(),
                                      to_string(layout_.mode())));
  const ShardTable::Outcome outcome = shard_->apply(updates);
  publish(outcome.changed_slots);
  ++counters_.batches_applied;
  counters_.updates_applied += outcome.applied;
  counters_.updates_ignored += outcome.ignored;
  return ApplyResult{outcome.applied, outcome.ignored};
}

void MetadataService::publish(std::span<const std::size_t> changed_slots) {
  if (changed_slots.empty()) return;
  const std::size_t size = layout_.record_bytes();
  if (direct_) {
    for (std::size_t slot : changed_slots) store_local(layout_.displacement(0, slot), shard_->record_bytes(slot));
    window_.sync();
  }
  // The other copies (and the primary, when it is not written in place) by MPI_Put: one per run of
  // consecutive changed slots and copy, straight from the private table, which stays unchanged until the flush.
  const int first_copy = direct_ ? 1 : 0;
  for (int copy = first_copy; copy < layout_.copies(); ++copy) {
    const int target = layout_.holder(rank(), copy);
    for (std::size_t i = 0; i < changed_slots.size();) {
      std::size_t j = i + 1;
      while (j < changed_slots.size() && changed_slots[j] == changed_slots[j - 1] + 1) ++j;
      const std::size_t first = changed_slots[i];
      window_.put(shard_->bytes().subspan(first * size, (j - i) * size), target, layout_.displacement(copy, first));
      i = j;
    }
    counters_.records_mirrored += copy > 0 ? changed_slots.size() : 0;
  }
  for (int copy = first_copy; copy < layout_.copies(); ++copy) window_.flush(layout_.holder(rank(), copy));
  counters_.records_published += changed_slots.size();
}

void MetadataService::store_local(std::size_t displacement, std::span<const std::byte> record) {
  // Seqlock writer: sequence odd, fields, checksum, then the new even sequence, with release fences so neither
  // the compiler nor the CPU reorders the phases. Readers do not rely on the order (an MPI_Get is not ordered);
  // the checksum over all of it, sequence included, is what rejects a torn copy. The odd phase makes a record
  // caught mid-write invalid even before its checksum is compared.
  std::byte* out = window_.base() + displacement;
  const std::uint64_t sequence = record_sequence(record);
  if (sequence == 0) {  // an empty slot (scrub restoring one)
    std::memcpy(out, record.data(), record.size());
    return;
  }
  const std::size_t checksum_at = checksum_offset(layout_.max_locations());
  const std::uint64_t writing = sequence - 1;
  std::memcpy(out + kSequenceOffset, &writing, sizeof writing);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(out + 8, record.data() + 8, checksum_at - 8);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(out + checksum_at, record.data() + checksum_at, 8);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(out + kSequenceOffset, record.data() + kSequenceOffset, 8);
}

void MetadataService::read_window(int target, std::size_t displacement, std::span<std::byte> out) {
  if (target == rank() && direct_) {
    window_.sync();  // see what replicas' homes put here
    std::memcpy(out.data(), window_.base() + displacement, out.size());
    return;
  }
  // Completed by its request, not by MPI_Win_flush_local: the get only needs its bytes here, and a flush
  // enters Open MPI's progress engine, which yields the core on oversubscribed ranks (the shadow read path
  // went from a 4-11 us flush to ~0.5 us the same way).
  mpi::GetRequests gets(window_);
  gets.get(out, target, displacement);
  gets.wait();
}

void MetadataService::write_window(int target, std::size_t displacement, std::span<const std::byte> bytes) {
  if (target == rank() && direct_) {
    std::memcpy(window_.base() + displacement, bytes.data(), bytes.size());
    window_.sync();
    return;
  }
  window_.put(bytes, target, displacement);
  window_.flush(target);
}

// ---- maintenance --------------------------------------------------------------------------------------------

std::size_t MetadataService::scrub() {
  if (!shard_) return 0;
  const std::size_t size = layout_.record_bytes();
  const std::span<const std::byte> truth = shard_->bytes();
  std::vector<std::byte> copy_bytes(truth.size());
  std::size_t repaired = 0;
  for (int copy = 0; copy < layout_.copies(); ++copy) {
    const int target = layout_.holder(rank(), copy);
    read_window(target, layout_.displacement(copy, 0), copy_bytes);
    for (std::size_t slot = 0; slot < layout_.region_records(); ++slot) {
      const auto expected = truth.subspan(slot * size, size);
      if (std::equal(expected.begin(), expected.end(), copy_bytes.begin() + static_cast<std::ptrdiff_t>(slot * size)))
        continue;
      if (copy == 0 && direct_)
        store_local(layout_.displacement(0, slot), expected);
      else
        window_.put(expected, target, layout_.displacement(copy, slot));
      ++repaired;
    }
    if (copy == 0 && direct_)
      window_.sync();
    else
      window_.flush(target);
  }
  counters_.records_repaired += repaired;
  return repaired;
}

void MetadataService::corrupt_local_record_for_testing(ObjectId id, int copy) {
  const int home = layout_.home_of(id);
  if (copy < 0 || copy >= layout_.copies() || layout_.holder(home, copy) != rank())
    throw InvalidArgument(
        fmt::format("corrupt_local_record_for_testing: rank {} does not hold copy {} of {}'s shard "
                    "(holders: {})",
                    rank(), copy, to_string(id), fmt::join(layout_.holders(home), ", ")));
  const std::size_t start = layout_.home_slot(id);
  const std::size_t size = layout_.record_bytes();
  std::vector<std::byte> run(layout_.probe_limit() * size);
  read_window(rank(), layout_.displacement(copy, start), run);
  const ScanResult scan = scan_run(run, id, layout_.max_locations());
  if (scan.outcome != ScanResult::Outcome::found)
    throw InvalidArgument(
        fmt::format("corrupt_local_record_for_testing: copy {} on rank {} holds no valid record of {}", copy, rank(),
                    to_string(id)));
  auto record = std::span(run).subspan(scan.index * size, size);
  record[16] ^= std::byte{0xff};  // a byte of the version: the checksum no longer matches
  write_window(rank(), layout_.displacement(copy, start + scan.index), record);
}

}  // namespace penumbra::metadata
