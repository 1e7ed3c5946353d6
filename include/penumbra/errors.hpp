#pragma once
/// @file errors.hpp
/// Every error Penumbra throws derives from penumbra::Error. Each message names the bad value and what was
/// expected, so callers can catch the type they can fix and users can read the message they cannot.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace penumbra {

/// Root of Penumbra's exception hierarchy.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A configuration value is invalid: names the key, the value and what is allowed.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string value, std::string allowed);
  /// The key as written in a file (e.g. `epoch_interval`) or in the environment (`PENUMBRA_EPOCH_INTERVAL`).
  const std::string& key() const noexcept { return key_; }
  const std::string& value() const noexcept { return value_; }
  const std::string& allowed() const noexcept { return allowed_; }

 private:
  std::string key_, value_, allowed_;
};

/// An argument to a Penumbra call is out of its domain (a rank outside the communicator, an empty name...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A load measurement, load series or policy snapshot is unusable: an empty history, a NaN or infinite
/// load, a negative cost, vectors whose sizes disagree. Derives from InvalidArgument, so callers that catch
/// bad arguments in general still catch it; a replay tool can catch this one alone to skip a corrupt trace.
class InvalidLoad : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// An MPI call returned an error. Keeps MPI's own error code and its `MPI_Error_string` text.
class MpiError : public Error {
 public:
  MpiError(std::string call, int code, std::string mpi_message);
  const std::string& call() const noexcept { return call_; }
  int code() const noexcept { return code_; }
  const std::string& mpi_message() const noexcept { return mpi_message_; }

 private:
  std::string call_;
  int code_;
  std::string mpi_message_;
};

/// Base of the errors about one object; carries its id.
class ObjectError : public Error {
 public:
  ObjectError(std::uint64_t id, const std::string& message);
  std::uint64_t object_id() const noexcept { return id_; }

 private:
  std::uint64_t id_;
};

/// No object with this id exists (it was never created, or it was looked up on a rank that does not own it).
class UnknownObject : public ObjectError {
 public:
  using ObjectError::ObjectError;
};

/// The object exists but holds a different C++ type than the one asked for.
class WrongType : public ObjectError {
 public:
  using ObjectError::ObjectError;
};

/// `create` named an object that already exists.
class DuplicateObject : public ObjectError {
 public:
  using ObjectError::ObjectError;
};

/// A read, write or move of an object that was erased.
class ObjectErased : public ObjectError {
 public:
  using ObjectError::ObjectError;
};

/// Two different names hash to the same 64-bit id. Rename one of them (or use explicit ids).
class NameCollision : public ObjectError {
 public:
  using ObjectError::ObjectError;
};

/// A (de)serialization failed or a payload failed its checksum.
class SerializationError : public Error {
 public:
  using Error::Error;
};

/// A collective migration was rejected or failed; nothing was moved (the previous owners keep everything).
class MigrationError : public Error {
 public:
  using Error::Error;
};

/// Another rank failed inside a collective call; this rank's call was abandoned consistently with it.
/// The message carries the failing rank and its error text.
class RemoteError : public Error {
 public:
  RemoteError(int failing_rank, const std::string& message);
  int failing_rank() const noexcept { return failing_rank_; }

 private:
  int failing_rank_;
};

/// A task names a kind no rank registered, or registers a name twice, or a handle's argument or result type
/// differs from the registered one. Names the kind.
class UnknownTaskKind : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A task read an object in neither its read set nor its write set, or wrote one outside its write set.
/// Names the task, its kind and the object. The task fails; nothing it wrote is committed.
class TaskAccessError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A task threw (or could not run). Carried by its future to the submitting rank, and thrown by `step()` /
/// `run_until_idle()` on every rank when `tasks.on_error = "stop"`. Objects the task meant to write are
/// unchanged: its writes are committed only after it returns.
class TaskFailed : public Error {
 public:
  TaskFailed(std::uint64_t task, std::string kind, int rank, const std::string& message);
  std::uint64_t task() const noexcept { return task_; }  ///< TaskId::value
  const std::string& kind() const noexcept { return kind_; }
  int rank() const noexcept { return rank_; }  ///< where it ran (or was to run)

 private:
  std::uint64_t task_;
  std::string kind_;
  int rank_;
};

/// `Future::get()` before the step (or `run_until_idle()`) that runs the task has ended.
class TaskPending : public Error {
 public:
  using Error::Error;
};

/// A runtime invariant (one owner per object, versions only grow, nothing lost) does not hold.
class InvariantViolation : public Error {
 public:
  using Error::Error;
};

/// hwloc could not describe the machine, or a synthetic/virtual topology is inconsistent.
class TopologyError : public Error {
 public:
  using Error::Error;
};

/// An epoch trace cannot be written or read: names the file, the line (1 = the header; 0 when the file as a
/// whole is the problem) and the field (a JSON path such as `ranks[2].actual_load`, or empty).
class TraceError : public Error {
 public:
  TraceError(std::string file, std::size_t line, std::string field, const std::string& problem);
  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  const std::string& field() const noexcept { return field_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string field_;
};

/// A checkpoint cannot be written or restored: names the file (empty when the checkpoint as a whole is the
/// problem, e.g. its object counts) and what is wrong with it. Raised on every rank of the collective call,
/// whichever rank found the problem; a restore that throws it has installed nothing.
class CheckpointError : public Error {
 public:
  CheckpointError(std::string file, std::string problem);
  const std::string& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::string problem_;
};

}  // namespace penumbra
