#pragma once
// What every harness shares: the contract it checks and the plumbing for APIs that read files.
//
// The contract (docs/reliability.md): bad bytes may only end in one of the library's typed exceptions
// (penumbra::Error and its subclasses). Any other exception, a crash, a sanitizer report, an allocation
// beyond libFuzzer's -malloc_limit_mb or a hang beyond -timeout is a finding. Harnesses abort() on an
// untyped exception or a broken property, so libFuzzer saves the input as a crash file.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <typeinfo>

#include "penumbra/errors.hpp"

namespace penumbra::fuzz {

[[noreturn]] inline void finding(const char* harness, const std::string& what) {
  std::fprintf(stderr, "FINDING in %s: %s\n", harness, what.c_str());
  std::abort();
}

/// Runs `decode`; a penumbra::Error is an accepted answer, anything else is a finding.
template <class F>
void expect_typed_errors(const char* harness, F&& decode) {
  try {
    decode();
  } catch (const penumbra::Error&) {
    // The library said "bad input" in its own words: that is the contract.
  } catch (const std::exception& error) {
    finding(harness, std::string("untyped exception ") + typeid(error).name() + ": " + error.what());
  } catch (...) {
    finding(harness, "an exception that is not even a std::exception");
  }
}

/// A property of decoded data that must hold whenever decoding succeeded.
inline void require(bool holds, const char* harness, const char* property) {
  if (!holds) finding(harness, std::string("property broken: ") + property);
}

/// The formats with one encoding per value: what decoded must re-encode to exactly the bytes it came from.
template <class Encoded>
void require_same_bytes(const Encoded& again, std::span<const std::byte> bytes, const char* harness) {
  require(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()), harness, "encode(decode(bytes)) == bytes");
}

/// An in-memory file with a path, for the readers that take a std::filesystem::path (trace, config):
/// no disk I/O and nothing left behind, and each input replaces the previous contents.
class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("penumbra-fuzz", 0)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { close(fd_); }

  const std::string& write(std::span<const std::uint8_t> bytes) {
    if (ftruncate(fd_, 0) != 0 ||
        pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
      std::perror("memfd write");
      std::abort();
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace penumbra::fuzz
