#pragma once
/// @file fault_options.hpp
/// Fault injection (`fault.*` configuration keys), for tests of the recovery paths: one chosen rank
/// misbehaves in a chosen way, and the collective mechanisms must roll back or recover with nothing lost.
/// Off unless configured: with the defaults nothing is injected (docs/fault-injection.md).

#include <cstdint>

namespace penumbra {

struct FaultOptions {
  /// `fault.rank`: the rank that misbehaves; -1 (the default) injects nothing, whatever the other keys say.
  /// [-1, 2^20]; a rank outside the communicator injects nothing either.
  std::int64_t rank = -1;
  /// `fault.receive_budget_bytes`: that rank accepts at most this many bytes of objects in one migration, and
  /// refuses the object that would take it over, as a target over its memory budget must (0: no limit).
  /// [0, 2^50].
  std::int64_t receive_budget_bytes = 0;
  /// `fault.corrupt_payload`: that rank flips one bit of the first object it receives in each migration,
  /// after the transfer and before the checksum is checked (a payload damaged on the way).
  bool corrupt_payload = false;
  /// `fault.slow_us`: that rank arrives this many microseconds late at every migration (a rank slow to make
  /// progress: busy in its own work, descheduled). [0, 10^7].
  std::int64_t slow_us = 0;
  /// `fault.slow_serve_us`: that rank takes this many microseconds longer to answer every request another rank
  /// sends it (reads and writes of its objects, metadata updates, steals): an owner busy or descheduled while
  /// others wait on it. [0, 10^7].
  std::int64_t slow_serve_us = 0;

  /// Whether `this_rank` is the one that misbehaves.
  bool injects_on(int this_rank) const noexcept { return rank >= 0 && rank == this_rank; }
  /// Throws ConfigError naming the first bad key, its value and what is allowed.
  void validate() const;
  bool operator==(const FaultOptions&) const = default;
};

}  // namespace penumbra
