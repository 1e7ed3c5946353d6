#pragma once
// Typed wrappers over the few collectives the mechanisms need. Values travel as bytes, so only trivially
// copyable types are accepted (checked at compile time).
#include <mpi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <type_traits>
#include <vector>

#include "mpi/check.hpp"
#include "penumbra/errors.hpp"
#include "mpi/communicator.hpp"

namespace penumbra::mpi {

namespace detail {
/// MPI's counts and displacements are int: a gather past 2 GiB is refused by name instead of wrapping.
inline int byte_count(std::int64_t bytes, const char* call) {
  if (bytes < 0 || bytes > std::numeric_limits<int>::max())
    throw InvalidArgument(std::string(call) + ": " + std::to_string(bytes) +
                          " bytes (MPI counts are int: at most 2147483647)");
  return static_cast<int>(bytes);
}

/// Appends section `k` of every rank's block of `received` to `section`, in rank order.
template <class Row, class Wire, std::size_t N>
void unpack_section(std::vector<Row>& section, std::size_t k, const std::vector<std::byte>& received,
                    const std::vector<int>& displacements, const std::vector<Wire>& wires,
                    const std::array<std::int64_t, N>& row_bytes) {
  for (std::size_t r = 0; r < wires.size(); ++r) {
    std::size_t offset = static_cast<std::size_t>(displacements[r]);
    for (std::size_t before = 0; before < k; ++before)
      offset += static_cast<std::size_t>(wires[r].counts[before] * row_bytes[before]);
    const std::size_t count = static_cast<std::size_t>(wires[r].counts[k]);
    const std::size_t at = section.size();
    section.resize(at + count);
    if (count > 0) std::memcpy(section.data() + at, received.data() + offset, count * sizeof(Row));
  }
}
}  // namespace detail

template <class T>
requires std::is_trivially_copyable_v<T> std::vector<T> allgather(const Communicator& comm, const T& value) {
  std::vector<T> all(static_cast<std::size_t>(comm.size()));
  check(MPI_Allgather(&value, sizeof(T), MPI_BYTE, all.data(), sizeof(T), MPI_BYTE, comm.get()), "MPI_Allgather");
  return all;
}

/// Concatenation of every rank's `mine`, in rank order. `counts_out` (if given) receives each rank's count.
template <class T>
requires std::is_trivially_copyable_v<T> std::vector<T> allgatherv(const Communicator& comm, std::span<const T> mine,
                                                                   std::vector<int>* counts_out = nullptr) {
  const int my_bytes = detail::byte_count(static_cast<std::int64_t>(mine.size_bytes()), "allgatherv");
  std::vector<int> bytes = allgather(comm, my_bytes);
  std::vector<int> displacements(bytes.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < bytes.size(); ++r) {
    displacements[r] = detail::byte_count(total, "allgatherv");
    total += bytes[r];
  }
  std::vector<T> all(static_cast<std::size_t>(total) / sizeof(T));
  check(MPI_Allgatherv(mine.data(), my_bytes, MPI_BYTE, all.data(), bytes.data(), displacements.data(), MPI_BYTE,
                       comm.get()),
        "MPI_Allgatherv");
  if (counts_out) {
    counts_out->resize(bytes.size());
    for (std::size_t r = 0; r < bytes.size(); ++r) (*counts_out)[r] = bytes[r] / static_cast<int>(sizeof(T));
  }
  return all;
}

/// Every rank's rows when each rank's count is already known to all (`counts[r]`: rank r's rows, and
/// `counts[rank]` == mine.size()): one MPI_Allgatherv, no round to exchange the counts.
template <class T>
requires std::is_trivially_copyable_v<T> std::vector<T> allgatherv_known(const Communicator& comm,
                                                                         std::span<const T> mine,
                                                                         std::span<const std::int64_t> counts) {
  std::vector<int> bytes(counts.size()), displacements(counts.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displacements[r] = detail::byte_count(total, "allgatherv_known");
    bytes[r] = detail::byte_count(counts[r] * static_cast<std::int64_t>(sizeof(T)), "allgatherv_known");
    total += bytes[r];
  }
  detail::byte_count(total, "allgatherv_known");
  std::vector<T> all(static_cast<std::size_t>(total) / sizeof(T));
  check(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size_bytes()), MPI_BYTE, all.data(), bytes.data(),
                       displacements.data(), MPI_BYTE, comm.get()),
        "MPI_Allgatherv");
  return all;
}

/// What allgather_sections returns: every rank's head, in rank order; each section's rows, concatenated in rank
/// order; and counts[r][k], how many rows of section k came from rank r.
template <class Head, class... Rows>
struct GatheredSections {
  std::vector<Head> heads;
  std::tuple<std::vector<Rows>...> rows;
  std::vector<std::array<std::int64_t, sizeof...(Rows)>> counts;
};

/// A fixed-size head and several row sections from every rank in two collectives: an allgather of the heads with
/// the section counts, then one allgatherv of all sections packed. The alternative, an allgather of counts plus
/// an allgatherv per section, costs a collective round per section, and on an oversubscribed node each round is
/// a scheduler wake-up (1-3 ms, ENVIRONMENT.md), far more than the bytes.
template <class Head, class... Rows>
requires(std::is_trivially_copyable_v<Head> && (std::is_trivially_copyable_v<Rows> && ...))
GatheredSections<Head, Rows...> allgather_sections(const Communicator& comm, const Head& head,
                                                   std::span<const Rows>... mine) {
  constexpr std::size_t kSections = sizeof...(Rows);
  struct Wire {
    Head head;
    std::array<std::int64_t, kSections> counts;
  };
  constexpr std::array<std::int64_t, kSections> kRowBytes{static_cast<std::int64_t>(sizeof(Rows))...};
  const std::vector<Wire> wires = allgather(comm, Wire{head, {static_cast<std::int64_t>(mine.size())...}});
  GatheredSections<Head, Rows...> out;
  std::vector<int> bytes(wires.size()), displacements(wires.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < wires.size(); ++r) {
    out.heads.push_back(wires[r].head);
    out.counts.push_back(wires[r].counts);
    std::int64_t rank_bytes = 0;
    for (std::size_t k = 0; k < kSections; ++k) rank_bytes += wires[r].counts[k] * kRowBytes[k];
    displacements[r] = detail::byte_count(total, "allgather_sections");
    bytes[r] = detail::byte_count(rank_bytes, "allgather_sections");
    total += rank_bytes;
  }
  detail::byte_count(total, "allgather_sections");
  std::vector<std::byte> send;
  send.reserve(static_cast<std::size_t>(bytes[static_cast<std::size_t>(comm.rank())]));
  const auto pack = [&send](auto rows) {
    const auto* first = reinterpret_cast<const std::byte*>(rows.data());
    send.insert(send.end(), first, first + rows.size_bytes());
  };
  (pack(mine), ...);
  std::vector<std::byte> received(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(send.data(), static_cast<int>(send.size()), MPI_BYTE, received.data(), bytes.data(),
                       displacements.data(), MPI_BYTE, comm.get()),
        "MPI_Allgatherv");
  // Rank r's block holds its section 0 rows, then its section 1 rows, and so on.
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (detail::unpack_section(std::get<K>(out.rows), K, received, displacements, wires, kRowBytes), ...);
  }(std::index_sequence_for<Rows...>{});
  return out;
}

inline std::int64_t allreduce_sum(const Communicator& comm, std::int64_t value) {
  std::int64_t result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_INT64_T, MPI_SUM, comm.get()), "MPI_Allreduce");
  return result;
}

inline std::int64_t allreduce_max(const Communicator& comm, std::int64_t value) {
  std::int64_t result = 0;
  check(MPI_Allreduce(&value, &result, 1, MPI_INT64_T, MPI_MAX, comm.get()), "MPI_Allreduce");
  return result;
}

}  // namespace penumbra::mpi

namespace penumbra::mpi {

/// Personalised exchange: `outgoing[r]` goes to rank r; returns what each rank sent to this one (index = source).
template <class T>
requires std::is_trivially_copyable_v<T> std::vector<std::vector<T>> alltoallv(
    const Communicator& comm, const std::vector<std::vector<T>>& outgoing) {
  const std::size_t ranks = static_cast<std::size_t>(comm.size());
  std::vector<int> send_bytes(ranks), send_displacements(ranks), receive_bytes(ranks), receive_displacements(ranks);
  std::vector<T> send_buffer;
  for (std::size_t r = 0; r < ranks; ++r) {
    send_displacements[r] = static_cast<int>(send_buffer.size() * sizeof(T));
    if (r < outgoing.size()) send_buffer.insert(send_buffer.end(), outgoing[r].begin(), outgoing[r].end());
    send_bytes[r] = static_cast<int>(send_buffer.size() * sizeof(T)) - send_displacements[r];
  }
  check(MPI_Alltoall(send_bytes.data(), 1, MPI_INT, receive_bytes.data(), 1, MPI_INT, comm.get()), "MPI_Alltoall");
  std::size_t total = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    receive_displacements[r] = static_cast<int>(total);
    total += static_cast<std::size_t>(receive_bytes[r]);
  }
  std::vector<T> receive_buffer(total / sizeof(T));
  check(MPI_Alltoallv(send_buffer.data(), send_bytes.data(), send_displacements.data(), MPI_BYTE,
                      receive_buffer.data(), receive_bytes.data(), receive_displacements.data(), MPI_BYTE, comm.get()),
        "MPI_Alltoallv");
  std::vector<std::vector<T>> incoming(ranks);
  for (std::size_t r = 0; r < ranks; ++r) {
    const auto first = receive_buffer.begin() + receive_displacements[r] / static_cast<int>(sizeof(T));
    incoming[r].assign(first, first + receive_bytes[r] / static_cast<int>(sizeof(T)));
  }
  return incoming;
}

}  // namespace penumbra::mpi
