#pragma once
// The JSON form of the trace records (docs/trace-format.md): one function per direction and record kind.
// Encoding cannot fail; decoding throws TraceError through JsonCursor naming the field.
#include <nlohmann/json.hpp>

#include "penumbra/trace.hpp"
#include "trace/json_cursor.hpp"

namespace penumbra::trace {

nlohmann::json encode(const RunHeader& header);
nlohmann::json encode(const EpochRecord& record);

/// The header line; rejects another format name and versions newer than kFormatVersion.
RunHeader decode_header(const JsonCursor& line);
/// One epoch line of a trace with `ranks` ranks.
EpochRecord decode_epoch(const JsonCursor& line, int ranks);

}  // namespace penumbra::trace
