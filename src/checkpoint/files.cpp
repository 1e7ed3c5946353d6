#include "checkpoint/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "checkpoint/format.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::checkpoint {
namespace {

std::string reason(int error) { return std::strerror(error); }

// Closes on every path, so an exception in the middle of a write does not leak descriptors.
class Descriptor {
 public:
  explicit Descriptor(int fd) noexcept : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  // Reports close's own error: on some file systems a failed write is only reported there.
  int close() noexcept {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

}  // namespace

Bytes read_file(const std::filesystem::path& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    throw CheckpointError(path.string(),
                          error == ENOENT ? std::string("missing") : "cannot be opened: " + reason(error));
  }
  Bytes bytes;
  std::byte buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw CheckpointError(path.string(), "cannot be read: " + reason(errno));
    }
    if (got == 0) break;
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  return bytes;
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const std::filesystem::path temporary = path.string() + std::string(kTemporarySuffix);
  Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw CheckpointError(temporary.string(), "cannot be created: " + reason(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t put = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (put < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      remove_quietly(temporary);
      throw CheckpointError(temporary.string(), "cannot be written: " + reason(error));
    }
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    const int error = errno;
    remove_quietly(temporary);
    throw CheckpointError(temporary.string(), "cannot be flushed to disk: " + reason(error));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    remove_quietly(temporary);
    throw CheckpointError(path.string(), "cannot be renamed into place: " + reason(error));
  }
}

void sync_directory(const std::filesystem::path& directory) {
  Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0)
    throw CheckpointError(directory.string(), "directory cannot be flushed to disk: " + reason(errno));
}

void ensure_directory(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  // Several ranks create it at once: one wins, the others find it there.
  if (error && !std::filesystem::is_directory(directory))
    throw CheckpointError(directory.string(), "directory cannot be created: " + error.message());
  if (!std::filesystem::is_directory(directory)) throw CheckpointError(directory.string(), "is not a directory");
}

void remove_quietly(const std::filesystem::path& path) noexcept {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

}  // namespace penumbra::checkpoint
