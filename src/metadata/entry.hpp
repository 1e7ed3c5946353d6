#pragma once
// What the shadow metadata service stores per object, and the updates that change it. Pure data.
#include <cstdint>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra::metadata {

/// Where one shadow copy lives: the holder rank and its slot in the holder's shadow window, so that a reader
/// can MPI_Get the copy straight from there (the fields of shadow::SlotAddress, src/shadow/shadow_window.hpp;
/// kept as a type of its own so that this pure module does not include the MPI-side shadow window).
struct Location {
  /// The holder rank.
  int rank = -1;
  /// Byte offset of the slot's header in the holder's shadow window.
  std::uint64_t slot_offset = 0;
  /// Payload bytes the slot can hold.
  std::uint64_t slot_capacity = 0;

  bool operator==(const Location&) const = default;
};

/// The shadow metadata of one object: `{id, version, owner, locations[], size}` (DESIGN.md).
struct Entry {
  ObjectId id;
  /// The version the owner holds (>= 1). In the service, versions only grow (see decide()).
  Version version = 0;
  /// The rank holding the authoritative copy.
  int owner = -1;
  /// The shadow copies (holder rank and slot), at most Options::max_locations of them.
  std::vector<Location> locations;
  /// Size of the object's encoded value in bytes.
  std::uint64_t size_bytes = 0;

  bool operator==(const Entry&) const = default;
};

/// A stored record: an entry, or the tombstone an erase leaves. A tombstone keeps its id and version so that
/// (a) probe chains through its slot stay intact and (b) an update older than the erase cannot revive the id.
struct Record {
  Entry entry;
  bool erased = false;

  bool operator==(const Record&) const = default;
};

/// One staged change, as it travels to the home in a batch.
struct Update {
  enum class Kind : std::uint8_t {
    upsert = 1,  ///< register or replace `entry`
    erase = 2,   ///< the object `entry.id` was erased at version `entry.version` (other fields unused)
  };
  Kind kind = Kind::upsert;
  Entry entry;

  bool operator==(const Update&) const = default;
};

}  // namespace penumbra::metadata
