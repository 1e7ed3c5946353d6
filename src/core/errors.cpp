#include "penumbra/errors.hpp"

#include <fmt/format.h>

namespace penumbra {

MpiError::MpiError(std::string call, int code, std::string mpi_message)
    : Error(fmt::format("{} failed with MPI error {}: {}", call, code, mpi_message)),
      call_(std::move(call)),
      code_(code),
      mpi_message_(std::move(mpi_message)) {}

ObjectError::ObjectError(std::uint64_t id, const std::string& message) : Error(message), id_(id) {}

RemoteError::RemoteError(int failing_rank, const std::string& message)
    : Error(fmt::format("rank {} failed: {}", failing_rank, message)), failing_rank_(failing_rank) {}

TaskFailed::TaskFailed(std::uint64_t task, std::string kind, int rank, const std::string& message)
    : Error(fmt::format("task {}:{} ({}) failed on rank {}: {}", task >> 40, task & ((std::uint64_t{1} << 40) - 1), kind,
                        rank, message)),
      task_(task),
      kind_(std::move(kind)),
      rank_(rank) {}

// "trace run.jsonl:12: field 'ranks[2].actual_load': expected a number"; the line and field are left out
// when they do not apply, so the message never points at something that is not there.
TraceError::TraceError(std::string file, std::size_t line, std::string field, const std::string& problem)
    : Error(fmt::format("trace {}{}: {}{}", file, line > 0 ? fmt::format(":{}", line) : "",
                        field.empty() ? "" : fmt::format("field '{}': ", field), problem)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

// "checkpoint /ckpt/data-...-r00002.pck: checksum mismatch ..."; without a file: "checkpoint: ...".
CheckpointError::CheckpointError(std::string file, std::string problem)
    : Error(fmt::format("checkpoint{}: {}", file.empty() ? "" : " " + file, problem)),
      file_(std::move(file)),
      problem_(std::move(problem)) {}

}  // namespace penumbra
