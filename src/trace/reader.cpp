// read_trace: line by line, so a 1 GB trace never sits in memory twice and errors know their line number.
#include <fmt/format.h>

#include <fstream>

#include "penumbra/errors.hpp"
#include "penumbra/trace.hpp"
#include "trace/codec.hpp"

namespace penumbra::trace {
namespace {

// nlohmann-json's message ("[json.exception.parse_error.101] parse error at line 1, column 17: ...") with
// its prefix dropped: the file and line are ours to say.
// Takes every nlohmann-json exception: parse errors, and also out_of_range, which parse() throws for a number
// beyond a double ("1e999"; found by fuzz/fuzz_trace_reader, it escaped read_trace untyped).
std::string parse_problem(const nlohmann::json::exception& error, bool last_line_unterminated) {
  std::string what = error.what();
  if (auto colon = what.find("column"); colon != std::string::npos) what = what.substr(colon);
  if (last_line_unterminated)
    return "truncated: the last line ends without a newline and is not valid JSON (" + what + ")";
  return "not valid JSON (" + what + ")";
}

}  // namespace

Trace read_trace(const std::filesystem::path& path, const ReadProgress& progress) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(file, 0, "", "cannot open the file for reading");
  std::error_code size_error;
  const std::uint64_t total = std::filesystem::file_size(path, size_error);
  Trace trace;
  bool have_header = false;
  std::string text;
  std::uint64_t consumed = 0;
  LineLocation where{file, 0};
  while (std::getline(in, text)) {
    ++where.line;
    consumed += text.size() + 1;
    const bool unterminated = in.eof();  // getline hit the end before a '\n'
    if (text.empty()) continue;          // a blank line carries nothing; tolerated like a trailing newline
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& error) {
      throw TraceError(file, where.line, "", parse_problem(error, unterminated));
    }
    const JsonCursor line(value, "", where);
    if (!have_header) {
      trace.header = decode_header(line);
      have_header = true;
    } else {
      trace.epochs.push_back(decode_epoch(line, trace.header.ranks));
    }
    if (progress) progress(std::min(consumed, total), total);
  }
  if (!have_header) throw TraceError(file, 1, "format", "the file is empty; expected the header line");
  return trace;
}

}  // namespace penumbra::trace
