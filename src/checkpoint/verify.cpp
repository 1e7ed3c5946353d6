#include "checkpoint/verify.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "checkpoint/files.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::checkpoint {

Manifest verify(const std::filesystem::path& directory) {
  const std::string manifest_path = (directory / kManifestName).string();
  const Manifest manifest = decode_manifest(read_file(manifest_path), manifest_path);
  // One file at a time: memory stays at one file's size, however large the checkpoint.
  std::unordered_set<ObjectId> seen;
  for (const FileEntry& entry : manifest.files) {
    const std::string path = (directory / entry.name).string();
    for (const Record& record : validate_data_file(read_file(path), manifest, entry, path).records)
      if (!seen.insert(record.id).second)
        throw CheckpointError(path, fmt::format("object {} appears a second time", to_string(record.id)));
  }
  return manifest;
}

}  // namespace penumbra::checkpoint
