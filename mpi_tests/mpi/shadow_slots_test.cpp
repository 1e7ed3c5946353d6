// The shadow mechanism below the Runtime: slots filled by the owner's two-phase puts, torn and half-written
// copies rejected, budgets respected, released slots read as empty. A hand-written planner stands in for the
// policy so each test decides exactly which copies exist.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <vector>

#include "mpi/communicator.hpp"
#include "mpi/window.hpp"
#include "penumbra/errors.hpp"
#include "penumbra/detail/value.hpp"
#include "shadow/shadow_manager.hpp"
#include "shadow/slot_layout.hpp"

namespace penumbra::shadow {
namespace {

struct Block {
  std::int64_t version_written;
  char bytes[1000];
};

Block block_of(std::int64_t v) {
  Block block{v, {}};
  std::memset(block.bytes, static_cast<int>('a' + v % 26), sizeof block.bytes);
  return block;
}

// Object `kId` is owned by rank 0; the planner puts its copy on rank 1.
constexpr ObjectId kId{0xB10C};
// An object rank 1 owns and publishes (ShadowBudget).
constexpr ObjectId kHome{0x40E};

struct OwnedBlock {
  detail::ValuePtr value;
  Version version = 0;
};

class ShadowSlots : public testing::Test {
 protected:
  void SetUp() override {
    if (comm.size() < 2) GTEST_SKIP() << "needs an owner and a holder";
  }
  int owner_of(ObjectId) const { return 0; }
  // Gives rank 1 a copy of kId (if `wanted`) at the next epoch.
  ShadowEpochReport epoch(ShadowManager& manager, bool wanted) {
    return manager.run_epoch(
        [this](ObjectId id) { return owner_of(id); },
        [this](ObjectId id) -> std::pair<detail::ValuePtr, Version> {
          if (comm.rank() != 0 || id != kId) return {nullptr, 0};
          return {owned.value, owned.version};
        },
        [wanted](std::span<const OwnedObjectStats> objects) {
          std::vector<DesiredShadow> desired;
          for (const auto& object : objects)
            if (object.id == kId && wanted) desired.push_back({kId, 1, 100.0});
          return desired;
        });
  }
  void write(ShadowManager& manager, std::int64_t v) {
    owned = {detail::make_value(block_of(v)), static_cast<Version>(v)};
    manager.note_write(kId, owned.version, owned.value);
    manager.propagate(false);
  }

  mpi::Communicator comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  OwnedBlock owned{detail::make_value(block_of(1)), 1};
};

TEST_F(ShadowSlots, HolderReadsWhatTheOwnerWroteAndRejectsTornCopies) {
  ShadowManager manager(comm, 1 << 20, StalenessBound{0, 1000});
  if (comm.rank() == 1) manager.count_read(kId, 0);  // the owner must see a reader to call the planner
  epoch(manager, true);
  ASSERT_EQ(manager.held(kId) != nullptr, comm.rank() == 1);
  comm.barrier();  // the owner filled the slot inside the epoch; make sure it is done before reading
  if (comm.rank() == 1) {
    Block copy{};
    SlotRead read = manager.read_held_into(kId, *manager.held(kId), std::as_writable_bytes(std::span(&copy, 1)));
    ASSERT_EQ(read.check.state, SlotState::valid);
    EXPECT_EQ(read.check.version, 1U);
    EXPECT_EQ(copy.version_written, 1);
    EXPECT_EQ(copy.bytes[999], 'b');
  }
  comm.barrier();
  if (comm.rank() == 0) write(manager, 2);  // bound 0: pushed before write() returns
  comm.barrier();
  if (comm.rank() == 1) {
    const SlotAddress slot = manager.held(kId)->slot;
    std::span<std::byte> window = manager.window().local_bytes_for_testing();
    Block copy{};
    // Inject a torn copy: flip a payload byte of version 2 before it was ever verified.
    window[slot.offset + sizeof(SlotHeader) + 500] ^= std::byte{0x40};
    EXPECT_EQ(manager.read_held_into(kId, *manager.held(kId), std::as_writable_bytes(std::span(&copy, 1))).check.state, SlotState::torn);
    window[slot.offset + sizeof(SlotHeader) + 500] ^= std::byte{0x40};
    // Inject a half-written slot: an odd sequence, as between the owner's two puts.
    std::uint64_t sequence;
    std::memcpy(&sequence, &window[slot.offset], sizeof sequence);
    const std::uint64_t writing = sequence - 1;
    std::memcpy(&window[slot.offset], &writing, sizeof writing);
    EXPECT_EQ(manager.read_held_into(kId, *manager.held(kId), std::as_writable_bytes(std::span(&copy, 1))).check.state,
              SlotState::being_written);
    std::memcpy(&window[slot.offset], &sequence, sizeof sequence);
    const SlotRead read = manager.read_held_into(kId, *manager.held(kId), std::as_writable_bytes(std::span(&copy, 1)));
    ASSERT_EQ(read.check.state, SlotState::valid);
    EXPECT_EQ(read.check.version, 2U);
    EXPECT_EQ(copy.version_written, 2);
    EXPECT_EQ(copy.bytes[0], 'c');
  }
  comm.barrier();
}

TEST_F(ShadowSlots, RemoteReadersGetTheCopyOneSidedAndDetectCorruption) {
  ShadowManager manager(comm, 1 << 20, StalenessBound{0, 1000});
  if (comm.rank() == 1) manager.count_read(kId, 0);
  epoch(manager, true);
  // Rank 1 publishes where its slot is; every rank reads it without rank 1 taking part.
  SlotAddress slot = comm.rank() == 1 ? manager.held(kId)->slot : SlotAddress{};
  MPI_Bcast(&slot, sizeof slot, MPI_BYTE, 1, comm.get());
  comm.barrier();
  Bytes bytes;
  const SlotRead read = manager.window().get(slot, kId, sizeof(Block), bytes);
  ASSERT_EQ(read.check.state, SlotState::valid);
  Block copy;
  ASSERT_EQ(bytes.size(), sizeof copy);
  std::memcpy(&copy, bytes.data(), sizeof copy);
  EXPECT_EQ(copy.version_written, 1);
  EXPECT_EQ(manager.window().get(slot, ObjectId{0xBAD}, sizeof(Block), bytes).check.state, SlotState::other_object);
  comm.barrier();
  if (comm.rank() == 1) manager.window().local_bytes_for_testing()[slot.offset + sizeof(SlotHeader) + 7] ^= std::byte{1};
  comm.barrier();
  EXPECT_EQ(manager.window().get(slot, kId, sizeof(Block), bytes).check.state, SlotState::torn)
      << "a corrupted payload never validates";
  comm.barrier();
}

// A value read straight into the reader's object (ShadowWindow::get_into, what rt.read<T> does for trivially
// copyable types): the get lands in the destination, so a torn or half-written copy must be caught there, in
// both fetch paths (one get through a scratch buffer up to 16 KiB, two gets straight into the object beyond).
template <class Value>
void expect_direct_reads_detect_torn_copies(const mpi::Communicator& comm, ShadowManager& manager,
                                            const Value& written) {
  SlotAddress slot = comm.rank() == 1 ? manager.held(kId)->slot : SlotAddress{};
  MPI_Bcast(&slot, sizeof slot, MPI_BYTE, 1, comm.get());
  comm.barrier();
  const auto read = [&](Value& out) {
    return manager.window().get_into(slot, kId, std::as_writable_bytes(std::span(&out, 1)));
  };
  auto copy = std::make_unique<Value>();
  SlotRead result = read(*copy);
  ASSERT_EQ(result.check.state, SlotState::valid);
  EXPECT_EQ(result.check.version, 1U);
  EXPECT_EQ(std::memcmp(copy.get(), &written, sizeof(Value)), 0);
  EXPECT_EQ(manager.window().get_into(slot, ObjectId{0xBAD}, std::as_writable_bytes(std::span(copy.get(), 1)))
                .check.state,
            SlotState::other_object);
  std::span<std::byte> window = comm.rank() == 1 ? manager.window().local_bytes_for_testing() : std::span<std::byte>{};
  const std::size_t payload = slot.offset + sizeof(SlotHeader);
  // A put that landed while the get copied: one payload byte of another version.
  comm.barrier();
  if (comm.rank() == 1) window[payload + sizeof(Value) - 3] ^= std::byte{0x10};
  comm.barrier();
  EXPECT_EQ(read(*copy).check.state, SlotState::torn) << "a torn payload never validates in the destination";
  comm.barrier();
  if (comm.rank() == 1) window[payload + sizeof(Value) - 3] ^= std::byte{0x10};
  // A phase-2 header that landed before its payload: the next version's sequence over this version's bytes
  // (the checksum is seeded with the version, so the old bytes do not validate under the new header).
  std::uint64_t sequence = 0;
  if (comm.rank() == 1) {
    std::memcpy(&sequence, &window[slot.offset], sizeof sequence);
    const std::uint64_t next = sequence + 2;
    std::memcpy(&window[slot.offset], &next, sizeof next);
  }
  comm.barrier();
  EXPECT_EQ(read(*copy).check.state, SlotState::torn) << "a header ahead of its payload never validates";
  comm.barrier();
  // Between the owner's two puts: an odd sequence.
  if (comm.rank() == 1) {
    const std::uint64_t writing = sequence - 1;
    std::memcpy(&window[slot.offset], &writing, sizeof writing);
  }
  comm.barrier();
  EXPECT_EQ(read(*copy).check.state, SlotState::being_written);
  comm.barrier();
  if (comm.rank() == 1) std::memcpy(&window[slot.offset], &sequence, sizeof sequence);
  comm.barrier();
  std::memset(static_cast<void*>(copy.get()), 0, sizeof(Value));
  result = read(*copy);
  ASSERT_EQ(result.check.state, SlotState::valid) << "the restored slot reads again";
  EXPECT_EQ(std::memcmp(copy.get(), &written, sizeof(Value)), 0);
  comm.barrier();
}

TEST_F(ShadowSlots, DirectRemoteReadsDetectTornCopies) {
  ShadowManager manager(comm, 1 << 20, StalenessBound{0, 1000});
  if (comm.rank() == 1) manager.count_read(kId, 0);
  epoch(manager, true);
  expect_direct_reads_detect_torn_copies(comm, manager, block_of(1));
}

// Beyond 16 KiB the header and the payload come in two gets, the payload straight into the object.
struct LargeBlock {
  std::int64_t version_written;
  char bytes[40000];
};

TEST_F(ShadowSlots, DirectRemoteReadsOfLargeValuesDetectTornCopies) {
  auto large = std::make_unique<LargeBlock>();
  large->version_written = 1;
  for (std::size_t i = 0; i < sizeof large->bytes; ++i) large->bytes[i] = static_cast<char>('a' + i % 26);
  owned = {detail::make_value(*large), 1};
  ShadowManager manager(comm, 1 << 20, StalenessBound{0, 1000});
  if (comm.rank() == 1) manager.count_read(kId, 0);
  epoch(manager, true);
  expect_direct_reads_detect_torn_copies(comm, manager, *large);
}

// The gets of remote reads complete by request (mpi::GetRequests), without a flush of the target.
TEST(GetRequests, FillTheirBuffersByWaitOrByDestruction) {
  const mpi::Communicator comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  constexpr std::size_t kBytes = 40000;
  mpi::Window window = mpi::Window::allocate(comm, kBytes);
  for (std::size_t i = 0; i < kBytes; ++i) window.base()[i] = static_cast<std::byte>((comm.rank() * 31 + i) % 251);
  comm.barrier();
  {
    const mpi::LockAllEpoch epoch(window);
    const int peer = (comm.rank() + 1) % comm.size();
    const auto expected = [&](std::size_t i) { return static_cast<std::byte>((peer * 31 + i) % 251); };
    std::vector<std::byte> head(64), rest(kBytes - 64);
    mpi::GetRequests gets(window);
    gets.get(head, peer, 0);
    gets.get(rest, peer, 64);
    gets.wait();
    EXPECT_EQ(head[7], expected(7));
    EXPECT_EQ(rest.back(), expected(kBytes - 1));
    std::vector<std::byte> later(kBytes);
    {
      mpi::GetRequests unwaited(window);
      unwaited.get(later, peer, 0);
    }  // the destructor waits
    EXPECT_EQ(later[12345], expected(12345));
    std::vector<std::byte> small(8);
    mpi::GetRequests full(window);
    for (int i = 0; i < mpi::GetRequests::kMaxGets; ++i) full.get(small, peer, 0);
    EXPECT_THROW(full.get(small, peer, 0), InvalidArgument);
    full.wait();
    EXPECT_EQ(small[3], expected(3));
  }
  comm.barrier();
}

TEST_F(ShadowSlots, DroppedCopiesAreReleasedAndBudgetsHold) {
  // A budget too small for one slot: the holder refuses, nothing is registered at the owner.
  {
    ShadowManager tiny(comm, 512, StalenessBound{});
    if (comm.rank() == 1) tiny.count_read(kId, 0);
    const ShadowEpochReport report = epoch(tiny, true);
    EXPECT_EQ(tiny.held(kId), nullptr);
    if (comm.rank() == 0) {
      EXPECT_EQ(report.refused, 1U);
      EXPECT_TRUE(tiny.copies_of(kId).empty());
    }
    EXPECT_LE(tiny.window().used_bytes(), tiny.window().capacity_bytes());
  }
  ShadowManager manager(comm, 1 << 20, StalenessBound{});
  if (comm.rank() == 1) manager.count_read(kId, 0);
  epoch(manager, true);
  const std::size_t used = manager.window().used_bytes();
  if (comm.rank() == 1) {
    EXPECT_GE(used, sizeof(SlotHeader) + sizeof(Block));
  }
  if (comm.rank() == 0) {
    EXPECT_EQ(manager.copies_of(kId).size(), 1U);
  }
  epoch(manager, false);  // the planner no longer wants it: dropped, slot returned
  EXPECT_EQ(manager.held(kId), nullptr);
  EXPECT_EQ(manager.window().used_bytes(), 0U);
  if (comm.rank() == 0) {
    EXPECT_TRUE(manager.copies_of(kId).empty());
  }
}

// Rank 1 publishes its own object kHome (a home copy) in a window with room for one slot, then rank 0 asks it
// to hold a copy of kId. The newcomer gets the slot only if it is worth more per byte than the home copy.
TEST(ShadowBudget, HomeCopiesGiveWayToShadowsWorthMorePerByte) {
  const mpi::Communicator comm = mpi::Communicator::duplicate(MPI_COMM_WORLD);
  if (comm.size() < 2) GTEST_SKIP() << "needs an owner and a holder that publishes its own object";
  const OwnedBlock home_block{detail::make_value(block_of(3)), 3};
  const OwnedBlock shadowed_block{detail::make_value(block_of(5)), 5};
  const auto owner_of = [&](ObjectId id) { return id == kHome ? 1 : 0; };
  const auto owned_value = [&](ObjectId id) -> std::pair<detail::ValuePtr, Version> {
    if (comm.rank() == 1 && id == kHome) return {home_block.value, home_block.version};
    if (comm.rank() == 0 && id == kId) return {shadowed_block.value, shadowed_block.version};
    return {nullptr, 0};
  };
  // Rank 1 always wants its home copy (value 10); rank 0 wants a copy of kId on rank 1 worth `shadow_value`.
  const auto planner = [&](double shadow_value) {
    return [&comm, shadow_value](std::span<const OwnedObjectStats> objects) {
      std::vector<DesiredShadow> desired;
      for (const auto& object : objects) {
        if (comm.rank() == 1 && object.id == kHome) desired.push_back({kHome, 1, 10.0});
        if (comm.rank() == 0 && object.id == kId && shadow_value > 0) desired.push_back({kId, 1, shadow_value});
      }
      return desired;
    };
  };
  const std::size_t one_slot = slot_bytes(payload_capacity_for(sizeof(Block)));
  for (const double shadow_value : {5.0, 100.0}) {
    ShadowManager manager(comm, one_slot, StalenessBound{});
    if (comm.rank() == 0) manager.count_read(kHome, 1);
    manager.run_epoch(owner_of, owned_value, planner(0.0));
    EXPECT_EQ(manager.home_copy(kHome).has_value(), comm.rank() == 1);
    if (comm.rank() == 0) manager.count_read(kHome, 1);
    if (comm.rank() == 1) manager.count_read(kId, 0);
    const ShadowEpochReport report = manager.run_epoch(owner_of, owned_value, planner(shadow_value));
    const bool newcomer_wins = shadow_value > 10.0;
    if (comm.rank() == 1) {
      EXPECT_EQ(manager.held(kId) != nullptr, newcomer_wins) << "shadow worth " << shadow_value;
      EXPECT_EQ(manager.home_copy(kHome).has_value(), !newcomer_wins) << "shadow worth " << shadow_value;
      EXPECT_EQ(report.home_released, newcomer_wins ? 1U : 0U);
      EXPECT_LE(manager.window().used_bytes(), manager.window().capacity_bytes());
    }
    if (comm.rank() == 0) {
      EXPECT_EQ(manager.copies_of(kId).size(), newcomer_wins ? 1U : 0U) << "shadow worth " << shadow_value;
      EXPECT_EQ(report.refused, newcomer_wins ? 0U : 1U);
    }
  }
}

}  // namespace
}  // namespace penumbra::shadow
