#pragma once
// The mechanism of a collective migration: serialize, exchange records, transfer payloads, verify, install,
// commit. All or nothing: sources drop their objects only after every receiver has installed and verified
// what it got.
#include <span>

#include "mpi/communicator.hpp"
#include "penumbra/fault_options.hpp"
#include "penumbra/migration.hpp"
#include "store/object_store.hpp"
#include "store/owner_directory.hpp"

namespace penumbra::migration {

/// Collective over `comm`. The caller guarantees no object request is in flight (Messenger::quiesce).
/// `faults` (all ranks pass the same) injects the configured fault on its rank: off by default.
MigrationReport migrate(const mpi::Communicator& comm, store::ObjectStore& store, store::OwnerDirectory& directory,
                        std::span<const Move> requested, const FaultOptions& faults = {});

}  // namespace penumbra::migration
