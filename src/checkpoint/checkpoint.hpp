#pragma once
// The mechanism of checkpoint and restart: who writes and reads which file, how the ranks agree, how
// records reach their new owners. The format and its checks are in format.hpp; files in files.hpp.
#include <cstdint>
#include <filesystem>
#include <string>

#include "mpi/communicator.hpp"
#include "penumbra/checkpoint.hpp"
#include "penumbra/fault_options.hpp"
#include "store/object_store.hpp"

namespace penumbra::checkpoint {

/// Collective over `comm`. The caller guarantees no object request is in flight (Messenger::quiesce), so
/// every rank's store is this cut's. Each rank writes its objects and tombstones to one data file, the ranks
/// agree, then rank 0 renames the manifest into place: the checkpoint exists entirely or not at all (an
/// earlier checkpoint in `directory` stays valid until that rename). Throws CheckpointError on every rank.
/// `faults` (the same on every rank; off by default): `fault.slow_us` makes its rank late.
CheckpointReport write(const mpi::Communicator& comm, const store::ObjectStore& store,
                       const std::filesystem::path& directory, const std::string& configuration, std::int64_t steps,
                       const FaultOptions& faults = {});

struct Restored {
  store::ObjectStore store;  ///< this rank's objects: those whose home among comm.size() ranks is this rank
  RestoreReport report;
  std::int64_t steps = 0;  ///< of the writing job
};

/// Collective over `comm`, on any number of ranks. Reads and validates the manifest, then each rank reads
/// and validates a share of the data files, the records travel to their home ranks, and each receiver checks
/// every record it gets and that the totals match the manifest. Every check passes on every rank before the
/// caller installs anything; otherwise CheckpointError on every rank.
/// `faults` (the same on every rank; off by default): `fault.slow_us` makes its rank late, and
/// `fault.corrupt_payload` flips a bit of the first record its rank receives (caught by the record checksum).
Restored read(const mpi::Communicator& comm, const std::filesystem::path& directory, const FaultOptions& faults = {});

}  // namespace penumbra::checkpoint
