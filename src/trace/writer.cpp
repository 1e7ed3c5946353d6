// TraceWriter: header at construction, one flushed line per epoch, so a run that dies leaves every finished
// epoch readable (the reader then reports only the half-written last line).
#include <fmt/format.h>

#include <system_error>

#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"
#include "trace/codec.hpp"

namespace penumbra::trace {

TraceWriter::TraceWriter(const std::filesystem::path& dir, RunHeader header) : header_(std::move(header)) {
  if (header_.run_name.empty()) throw InvalidArgument("TraceWriter: the run name is empty (trace.run_name)");
  header_.format_version = kFormatVersion;  // this writer writes this version's fields, whatever the caller set
  path_ = trace_path(dir, header_.run_name);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw TraceError(dir.string(), 0, "", fmt::format("cannot create the folder: {}", error.message()));
  out_.open(path_, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!out_) throw TraceError(path_.string(), 0, "", "cannot open the file for writing");
  write_line(encode(header_).dump());
}

void TraceWriter::append(const EpochRecord& record) {
  if (record.ranks.size() != static_cast<std::size_t>(header_.ranks))
    throw InvalidArgument(fmt::format("TraceWriter::append: epoch {} has {} rank records, the run has {} ranks",
                                      record.epoch, record.ranks.size(), header_.ranks));
  write_line(encode(record).dump());
  ++epochs_written_;
}

void TraceWriter::write_line(const std::string& line) {
  out_ << line << '\n';
  out_.flush();
  if (!out_) throw TraceError(path_.string(), epochs_written_ + 1, "", "write failed (disk full?)");
}

}  // namespace penumbra::trace
