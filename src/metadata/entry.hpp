#pragma once
// What the shadow metadata service stores per object, and the updates that change it. Pure data.
#include <cstdint>
#include <vector>

#include "penumbra/object_id.hpp"

namespace penumbra::metadata {

/// The shadow metadata of one object: `{id, version, owner, locations[], size}` (DESIGN.md).
struct Entry {
  ObjectId id;
  /// The version the owner holds (>= 1). In the service, versions only grow (see decide()).
  Version version = 0;
  /// The rank holding the authoritative copy.
  int owner = -1;
  /// Ranks holding a shadow (a versioned copy), at most Options::max_locations of them.
  std::vector<int> locations;
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
