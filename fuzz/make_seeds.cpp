// Writes the seed corpora in fuzz/corpus/<harness>/ with the library's own encoders, so seeds follow the
// formats as they change (jobs/run-fuzzers.sh --make-seeds; the output is checked in, small). Each seed is a
// well-formed input the harness accepts; libFuzzer mutates from there. Usage: penumbra-fuzz-seeds <corpus dir>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "metadata/batch.hpp"
#include "metadata/record.hpp"
#include "migration/transfer_plan.hpp"
#include "penumbra/codec.hpp"
#include "penumbra/config.hpp"
#include "penumbra/trace.hpp"
#include "shadow/slot_layout.hpp"
#include "transport/wire.hpp"
#include "tasks/record.hpp"
#include "checkpoint/format.hpp"

namespace {
namespace fs = std::filesystem;
using namespace penumbra;

fs::path corpus;

void seed(const char* harness, const char* name, std::span<const std::byte> bytes, int prefix_length = 0,
          const std::uint8_t* prefix = nullptr) {
  const fs::path dir = corpus / harness;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(prefix), prefix_length);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void seed_text(const char* harness, const char* name, const std::string& text, std::uint8_t selector) {
  seed(harness, name, std::as_bytes(std::span(text.data(), text.size())), 1, &selector);
}

void wire() {
  const std::uint8_t request = 0, reply = 1;
  transport::Request write{transport::Operation::write, ObjectId{42}, "grid/17", 0x1234, Bytes(24, std::byte{7})};
  seed("fuzz_wire", "request-write", transport::encode(write), 1, &request);
  seed("fuzz_wire", "request-read", transport::encode(transport::Request{}), 1, &request);
  transport::Reply answer{transport::Status::ok, 3, 0x1234, 24, "", Bytes(24, std::byte{9})};
  seed("fuzz_wire", "reply-read", transport::encode(answer), 1, &reply);
  transport::Reply failure{transport::Status::unknown_object, 0, 0, 0, "no object 0x2a", {}};
  seed("fuzz_wire", "reply-error", transport::encode(failure), 1, &reply);
}

metadata::Entry entry(std::uint64_t id, int owner, std::vector<metadata::Location> locations) {
  return {ObjectId{id}, 5, owner, std::move(locations), 8192};
}

void metadata_seeds() {
  const std::uint8_t batch_prefix[3] = {3, 8, 0};  // 4 ranks, 8 locations, batch
  const std::vector<metadata::Update> updates{
      {metadata::Update::Kind::upsert, entry(42, 1, {{2, 4096, 10240}, {3, 0, 256}})},
      {metadata::Update::Kind::erase, {ObjectId{43}, 9, -1, {}, 0}},
      {metadata::Update::Kind::upsert, entry(44, 0, {})}};
  seed("fuzz_metadata", "batch", metadata::encode_batch(updates), 3, batch_prefix);
  // A probe run of three records: the id 42 (the harness reads the id from the run's first 8 bytes, which
  // are the first record's sequence: 42 here), a tombstone, an empty slot.
  const int max_locations = 2;
  const std::uint8_t records_prefix[3] = {3, max_locations, 1};
  const std::size_t size = metadata::record_bytes(max_locations);
  Bytes run(3 * size);
  metadata::encode_record({entry(42, 1, {{2, 4096, 10240}}), false}, 42, max_locations,
                          std::span(run).subspan(0, size));
  metadata::encode_record({entry(43, 0, {}), true}, 8, max_locations, std::span(run).subspan(size, size));
  seed("fuzz_metadata", "records", run, 3, records_prefix);
}

void shadow_seeds() {
  const Bytes payload(100, std::byte{3});
  const auto header = shadow::make_slot_header(ObjectId{42}, 7, 0x1234, payload, 123456789);
  Bytes input(sizeof header + 8 + 2);
  std::memcpy(input.data(), &header, sizeof header);
  const std::uint64_t id = 42;
  std::memcpy(input.data() + sizeof header, &id, 8);
  const auto capacity = static_cast<std::uint16_t>(shadow::payload_capacity_for(payload.size()));
  std::memcpy(input.data() + sizeof header + 8, &capacity, 2);
  input.insert(input.end(), payload.begin(), payload.end());
  input.resize(input.size() + (capacity - payload.size()));  // the rest of the slot, as a Get copies it
  seed("fuzz_shadow_slot", "valid-slot", input);
}

void migration_seeds() {
  const std::vector<migration::MoveRecord> records{{42, 0, 1, 3, 0x1234, 7, 4096, 0xabcdef},
                                                   {43, 1, 0, 1, 0x1234, 0, 64, 0x123456},
                                                   {44, 2, 1, 2, 0x5678, 12, 100, 0x9999}};
  const std::uint8_t records_prefix[3] = {0, 3, 1};  // records, 4 ranks, rank 1
  seed("fuzz_migration", "records", std::as_bytes(std::span(records)), 3, records_prefix);
  const std::uint8_t text = 1, doubles = 2, table = 3;
  seed("fuzz_migration", "string", encode(std::string("a migrated name")), 1, &text);
  seed("fuzz_migration", "vector", encode(std::vector<double>{1.5, -2.0, 1e300}), 1, &doubles);
  seed("fuzz_migration", "map",
       encode(std::map<std::string, std::vector<std::int32_t>>{{"halo", {1, 2, 3}}, {"cells", {}}}), 1, &table);
}

void config_seeds() {
  Config config;
  config.epoch_interval = 5;
  seed_text("fuzz_config", "effective-config", config.to_string(), 0);
  seed_text("fuzz_config", "sections",
            "epoch_interval = 20\n[shadow]\nenabled = true\n[balance]\nstrategy = \"refine\"\n", 0);
  // Environment lines: <variable byte><value>; byte 1 is the first key after the PENUMBRA_TRACE alias.
  using namespace std::string_literals;  // the last line starts with a NUL byte (variable 0)
  seed_text("fuzz_config", "environment", "\x01" "12\n\x02" "2\n\x00/tmp/trace\n"s, 1);
}

void trace_seeds() {
  trace::RunHeader header;
  header.run_name = "seed";
  header.ranks = 2;
  header.nodes = 1;
  header.strategy = "predictive";
  header.config = {{"epoch_interval", "10"}};
  header.start_time = "2026-11-30T07:00:00Z";
  header.start_unix_seconds = 1796022000.0;
  trace::EpochRecord record;
  record.epoch = 0;
  record.step = 10;
  record.ranks = {trace::RankRecord{0.5, 0.75, 1, 2, 3, 4, 5, 6}, trace::RankRecord{0.25, 0.125, 1, 2, 3, 4, 5, 6}};
  record.moves = {balance::PlannedMove{ObjectId{42}, 0, 1, 4096, balance::MoveReason::overload, 0.5}};
  record.strategy = "predictive";
  record.input.ranks = {balance::RankState{0, 0.75, 0.8, 0.05, 0.0, 1.0},
                        balance::RankState{0, 0.125, 0.2, 0.01, 0.5, 2.0}};
  balance::ObjectState object;
  object.id = ObjectId{42};
  object.accesses = {RankAccesses{0, 7, 700}};
  object.edges = {balance::Edge{ObjectId{43}, 128.0}};
  record.input.objects = {object};
  record.plan.moves = record.moves;
  record.plan.projected_load = {0.45, 0.5};
  const fs::path dir = fs::temp_directory_path() / "penumbra-fuzz-seeds";
  fs::path written;
  {
    trace::TraceWriter writer(dir, header);
    writer.append(record);
    written = writer.path();
  }
  fs::create_directories(corpus / "fuzz_trace_reader");
  fs::copy_file(written, corpus / "fuzz_trace_reader" / "two-ranks-one-epoch", fs::copy_options::overwrite_existing);
  fs::remove_all(dir);
}
void task_seeds() {
  tasks::TaskRecord relax;
  relax.id = TaskId::make(3, 17);
  relax.kind = "hotspot/relax";
  relax.reads = {ObjectId{11}, ObjectId{12}};
  relax.writes = {ObjectId{13}};
  relax.cost_hint_s = 2e-3;
  relax.args = Bytes(16, std::byte{5});
  const std::uint8_t batch = 0, task = 1, results = 2;
  seed("fuzz_tasks", "batch", tasks::encode(tasks::TaskBatch{{relax, relax}, {{ObjectId{11}, 2}}}), 1, &batch);
  seed("fuzz_tasks", "task", tasks::encode(relax), 1, &task);
  const std::vector<tasks::TaskResult> answers = {tasks::TaskResult{relax.id, relax.kind, 2, false, "", Bytes(8)},
                                                  tasks::TaskResult{relax.id, relax.kind, 1, true, "boom", {}}};
  seed("fuzz_tasks", "results", tasks::encode(std::span<const tasks::TaskResult>(answers)), 1, &results);
}

void checkpoint_seeds() {
  const std::vector<checkpoint::Record> records = {
      checkpoint::Record{ObjectId::from_name("grid/1"), "grid/1", 4, 0x1234, false, Bytes(24, std::byte{3})},
      checkpoint::Record{ObjectId{99}, "", 7, 0, true, {}}};
  const Bytes data = checkpoint::encode_data_file(0xabcdef, 0, records);
  const std::uint8_t data_fixing = 2, manifest_fixing = 3;
  seed("fuzz_checkpoint", "data-file", data, 1, &data_fixing);
  checkpoint::Manifest manifest;
  manifest.token = 0xabcdef;
  manifest.ranks = 1;
  manifest.objects = 1;
  manifest.tombstones = 1;
  manifest.steps = 12;
  manifest.configuration = "epoch_interval = 10\n";
  manifest.files = {checkpoint::FileEntry{checkpoint::data_file_name(0xabcdef, 0), 0, 2, 1, data.size(),
                                          checksum64(data)}};
  seed("fuzz_checkpoint", "manifest", checkpoint::encode_manifest(manifest), 1, &manifest_fixing);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  corpus = argv[1];
  wire();
  metadata_seeds();
  shadow_seeds();
  migration_seeds();
  config_seeds();
  trace_seeds();
  task_seeds();
  checkpoint_seeds();
  return 0;
}
