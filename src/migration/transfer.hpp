#pragma once
// The mechanism of a collective migration: serialize, exchange records, transfer payloads, verify, install,
// commit. All or nothing: sources drop their objects only after every receiver has installed and verified
// what it got.
//
// In two halves, so that payloads can travel while the application works: `start` posts every transfer and
// changes nothing, `finish` changes the owners. Between the two the sources still own their objects and serve
// every read and write; `finish` sends again what was written in between (and drops what was erased), so a
// write that races a move is never lost. `migrate` is both halves back to back.
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "mpi/communicator.hpp"
#include "penumbra/fault_options.hpp"
#include "penumbra/migration.hpp"
#include "store/object_store.hpp"
#include "store/owner_directory.hpp"

namespace penumbra::migration {

/// What `PendingMigration::finish` moved, as the calling rank sees it.
struct Landing {
  MigrationReport report;
  std::vector<ObjectId> sent;      ///< objects this rank gave away
  std::vector<ObjectId> received;  ///< objects this rank now owns
};

/// Transfers posted by `start` and not yet landed. Destroying it without `finish` waits for its transfers
/// and moves nothing (the sources still own everything). Move-only.
class PendingMigration {
 public:
  /// Collective over `comm`: checks and encodes this rank's moves (typed errors on every rank alike), shares
  /// the records, and posts every payload's receive and send. No owner changes. `faults` (the same on all
  /// ranks) injects the configured fault on its rank.
  /// `defer(id)` true: that object's value travels only at `finish` (an object written in most steps, whose
  /// early copy would be stale and sent twice). Empty: every value travels now.
  static PendingMigration start(const mpi::Communicator& comm, const store::ObjectStore& store,
                                std::span<const Move> requested, const FaultOptions& faults = {},
                                const std::function<bool(ObjectId)>& defer = {});

  PendingMigration(PendingMigration&&) noexcept;
  PendingMigration& operator=(PendingMigration&&) noexcept;
  ~PendingMigration();

  /// Drives this rank's transfers without blocking (MPI_Test); true once all of them are complete.
  bool progress();
  /// True when no rank moves anything (the same on every rank).
  bool empty() const noexcept;
  /// Objects this rank sends, by id.
  std::vector<ObjectId> outgoing() const;
  /// Objects and bytes moving over all ranks.
  std::size_t objects_total() const noexcept;
  std::uint64_t bytes_total() const noexcept;

  /// Collective over the communicator of `start`. The caller guarantees no object request is in flight
  /// (Messenger::quiesce). Completes the transfers, sends again the objects written since `start` and leaves
  /// erased ones where they are, verifies and installs everything received, and only then lets the sources
  /// drop theirs and records the new owners in `directory`. A failure on any rank (checksum, injected fault)
  /// is thrown on every rank, and then nothing has moved. Call once.
  Landing finish(store::ObjectStore& store, store::OwnerDirectory& directory);

 private:
  struct State;
  explicit PendingMigration(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Both halves at once: collective over `comm`, see PendingMigration. The caller guarantees no object
/// request is in flight (Messenger::quiesce).
MigrationReport migrate(const mpi::Communicator& comm, store::ObjectStore& store, store::OwnerDirectory& directory,
                        std::span<const Move> requested, const FaultOptions& faults = {});

}  // namespace penumbra::migration
