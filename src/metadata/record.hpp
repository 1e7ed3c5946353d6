#pragma once
// The fixed-size byte layout of one metadata record as it lies in an RMA window, and its validation. Pure.
//
//   offset   field
//   0        u64 sequence     0 = never written; odd while the home rewrites the record in place; even after
//   8        u64 id
//   16       u64 version
//   24       u64 size_bytes
//   32       i32 owner
//   36       u16 location count
//   38       u16 flags        bit 0: erased (tombstone)
//   40       locations[max_locations], 24 bytes each (unused ones 0):
//              +0 u64 slot offset, +8 u64 slot capacity, +16 i32 holder rank, +20 u32 reserved (0)
//   end - 8  u64 checksum     checksum64 of every byte before it, the sequence included
//
// A reader copies records with MPI_Get while the home (or an MPI_Put from it) may be rewriting them, and a
// Get is neither atomic nor ordered, so a record can arrive torn. The checksum is what makes a copy
// trustworthy: a record is valid iff its checksum matches, its sequence is even and not 0, and its fields are
// in range. A record of all zero bytes is an empty slot. Anything else is torn or corrupted.
#include <cstddef>
#include <cstdint>
#include <span>

#include "metadata/entry.hpp"

namespace penumbra::metadata {

/// Bytes of one location in a record.
inline constexpr std::size_t kLocationBytes = 24;
/// Bytes of one record holding up to `max_locations` locations: 48 + 24 x max_locations (240 for 8).
std::size_t record_bytes(int max_locations) noexcept;

/// Writes `record` with `sequence` into `out`. Throws InvalidArgument unless `out` has record_bytes(max_locations)
/// bytes, the entry at most `max_locations` locations and `sequence` is even and >= 2.
void encode_record(const Record& record, std::uint64_t sequence, int max_locations, std::span<std::byte> out);

enum class RecordState : std::uint8_t {
  empty,    ///< all zero: the slot was never written (ends a probe chain)
  valid,    ///< checksum, sequence and fields check out
  invalid,  ///< torn by a concurrent write, or corrupted
};

struct DecodedRecord {
  RecordState state = RecordState::empty;
  std::uint64_t sequence = 0;
  Record record;  ///< meaningful when valid
};

/// Decodes and validates one record of record_bytes(max_locations) bytes.
DecodedRecord decode_record(std::span<const std::byte> bytes, int max_locations);
/// True iff `bytes` is a valid record of object `id` (a live entry or its tombstone).
bool validate_record(std::span<const std::byte> bytes, ObjectId id, int max_locations);
/// The sequence word of a record, whatever its state (the home rewrites records with sequence + 2).
std::uint64_t record_sequence(std::span<const std::byte> bytes) noexcept;
/// Byte offset of the sequence word and of the checksum (the seqlock writer stores them separately).
inline constexpr std::size_t kSequenceOffset = 0;
std::size_t checksum_offset(int max_locations) noexcept;

/// What scanning a probe run (consecutive records from an id's home slot on) found.
struct ScanResult {
  enum class Outcome : std::uint8_t {
    found,      ///< the id's record (live or tombstone) is at `index`
    absent,     ///< an empty slot at `index` ends the chain: the id is not in the shard
    invalid,    ///< the record at `index` is torn or corrupted: the answer is unknown
    exhausted,  ///< every record of the run holds another id: read further (or the probe limit is reached)
  };
  Outcome outcome = Outcome::exhausted;
  std::size_t index = 0;  ///< record index within the run
  Record record;          ///< when found
};

/// Scans `run` (a whole number of records) for `id` in probe order.
ScanResult scan_run(std::span<const std::byte> run, ObjectId id, int max_locations);

}  // namespace penumbra::metadata
