#pragma once
// A home's private, authoritative copy of its shard, and the consistency rule that decides which update wins.
// Pure. The service publishes the records this table changes into its window (the primary copy other ranks
// read) and mirrors them to the replicas; planning against a private copy means the home never reads memory
// that other ranks write or that a fault may have damaged.
//
// Consistency rule (versions only grow):
//   - on a live record, an update (upsert or erase) applies iff its version >= the stored version. An equal
//     version may change owner, locations and size: a migration moves an object without a new version, and
//     the last update the home applies for a version wins. An older version is ignored entirely.
//   - on a tombstone, an update applies iff its version > the erased version: an update older than the erase,
//     or from the erased version itself, cannot bring the object back.
//   - an erase of an id the shard does not hold leaves a tombstone all the same (an erase may overtake the
//     registration it cancels when they come from different ranks).
// Tombstones keep their slot for good: probe chains through them stay intact, and the erased version is
// remembered.
#include <cstddef>
#include <span>
#include <vector>

#include "metadata/entry.hpp"
#include "metadata/layout.hpp"
#include "metadata/record.hpp"

namespace penumbra::metadata {

/// Throws InvalidArgument unless `update` fits `layout`: version >= 1 and, for an upsert, owner and locations
/// ranks of the communicator, at most max_locations locations.
void check_update(const Update& update, const Layout& layout);
/// Whether `update` supersedes `stored` (nullptr: the id is not in the shard) under the rule above.
bool supersedes(const Update& update, const Record* stored) noexcept;
/// The record `update` leaves behind. A tombstone keeps the previous owner when there was one (0 otherwise).
Record record_after(const Update& update, const Record* stored);

class ShardTable {
 public:
  /// An empty shard homed at `home`, laid out as `layout` says.
  ShardTable(const Layout& layout, int home);

  struct Outcome {
    std::vector<std::size_t> changed_slots;  ///< ascending, each once
    std::size_t applied = 0;                 ///< updates that superseded the stored record
    std::size_t ignored = 0;                 ///< updates older than the stored record
  };

  /// Applies `updates` in order, all or nothing: every update is placed before any record changes.
  /// Throws InvalidArgument for an id homed elsewhere or an update check_update rejects, and ConfigError naming
  /// `metadata.slots_per_shard` when an id finds no free slot within the probe limit; the table is then unchanged.
  Outcome apply(std::span<const Update> updates);

  /// The record of `id` (a live entry or its tombstone), if the shard holds it.
  const Record* find(ObjectId id, Record& storage) const;
  /// Bytes of every record (region_records() of them), as they must appear in every copy.
  std::span<const std::byte> bytes() const noexcept { return bytes_; }
  std::span<const std::byte> record_bytes(std::size_t slot) const;
  /// Records in use (live or tombstone).
  std::size_t used() const noexcept { return used_; }
  int home() const noexcept { return home_; }

 private:
  Layout layout_;
  int home_;
  std::vector<std::byte> bytes_;
  std::size_t used_ = 0;
};

}  // namespace penumbra::metadata
