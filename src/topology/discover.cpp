#include "topology/discover.hpp"

#include <fmt/format.h>
#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "mpi/collectives.hpp"
#include "penumbra/errors.hpp"
#include "topology/latency_probe.hpp"

namespace penumbra::topology {
namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology_t topology) const { hwloc_topology_destroy(topology); }
};
using HwlocTopology = std::unique_ptr<hwloc_topology, TopologyDeleter>;

struct BitmapDeleter {
  void operator()(hwloc_bitmap_t bitmap) const { hwloc_bitmap_free(bitmap); }
};
using Bitmap = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

HwlocTopology load_hwloc() {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw TopologyError("hwloc_topology_init failed");
  HwlocTopology topology(raw);
  // hwloc reads HWLOC_XMLFILE by itself; HWLOC_SYNTHETIC is applied here so both work the same way.
  if (const char* synthetic = std::getenv("HWLOC_SYNTHETIC"); synthetic && *synthetic)
    if (hwloc_topology_set_synthetic(raw, synthetic) != 0)
      throw TopologyError(
          fmt::format("HWLOC_SYNTHETIC = '{}' is not a valid hwloc synthetic description "
                      "(e.g. 'pack:2 numa:2 l3:2 core:4 pu:2')",
                      synthetic));
  if (hwloc_topology_load(raw) != 0) throw TopologyError("hwloc_topology_load failed");
  return topology;
}

// Logical index of the object of `type` whose cpuset contains all of `binding`, or -1.
int covering_index(hwloc_topology_t topology, hwloc_obj_type_t type, hwloc_const_bitmap_t binding) {
  const int count = hwloc_get_nbobjs_by_type(topology, type);
  for (int i = 0; i < count; ++i) {
    hwloc_obj_t object = hwloc_get_obj_by_type(topology, type, static_cast<unsigned>(i));
    if (object && object->cpuset && hwloc_bitmap_isincluded(binding, object->cpuset))
      return static_cast<int>(object->logical_index);
  }
  return -1;
}

// What one rank sends to the others (fixed size, trivially copyable).
struct PlacementWire {
  int node_key = 0;  // lowest rank on the node, before dense renumbering
  int local_rank = 0;
  int package = -1, numa = -1, cache = -1, core = -1;
  int bound = 0;
  int last_cpu = -1;
  char host[96] = {};
  char cpuset[160] = {};
};

void copy_text(char* destination, std::size_t capacity, const std::string& text) {
  const std::size_t length = std::min(capacity - 1, text.size());
  std::memcpy(destination, text.data(), length);
  destination[length] = '\0';
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

// Which node this rank is on (as the lowest rank of that node) and its index there.
std::pair<int, int> node_membership(const mpi::Communicator& comm, int virtual_nodes) {
  const int rank = comm.rank();
  const int size = comm.size();
  if (virtual_nodes > 0) {
    const auto group = [&](int r) { return static_cast<int>(static_cast<long>(r) * virtual_nodes / size); };
    int first = rank;
    while (first > 0 && group(first - 1) == group(rank)) --first;
    return {first, rank - first};
  }
  const mpi::Communicator node = comm.split_shared();  // ranks ordered as in comm: local rank 0 is the lowest
  return {mpi::allgather(node, rank).front(), node.rank()};
}

PlacementWire place_this_rank(const mpi::Communicator& comm, int virtual_nodes) {
  PlacementWire wire;
  std::tie(wire.node_key, wire.local_rank) = node_membership(comm, virtual_nodes);
  const std::string host = host_name();
  copy_text(wire.host, sizeof wire.host,
            virtual_nodes > 0
                ? fmt::format("vnode{}@{}", static_cast<long>(comm.rank()) * virtual_nodes / comm.size(), host)
                : host);

  HwlocTopology topology = load_hwloc();
  hwloc_topology_t t = topology.get();
  Bitmap binding(hwloc_bitmap_alloc());
  if (hwloc_topology_is_thissystem(t)) {
    if (hwloc_get_cpubind(t, binding.get(), HWLOC_CPUBIND_PROCESS) != 0)
      hwloc_bitmap_copy(binding.get(), hwloc_topology_get_allowed_cpuset(t));
    Bitmap last(hwloc_bitmap_alloc());
    if (hwloc_get_last_cpu_location(t, last.get(), HWLOC_CPUBIND_PROCESS) == 0)
      wire.last_cpu = hwloc_bitmap_first(last.get());
  } else {
    // An emulated machine (HWLOC_SYNTHETIC / HWLOC_XMLFILE): place rank i of the node on core i mod cores.
    const int cores = std::max(1, hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE));
    hwloc_obj_t core = hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, static_cast<unsigned>(wire.local_rank % cores));
    hwloc_bitmap_copy(binding.get(), core ? core->cpuset : hwloc_topology_get_topology_cpuset(t));
  }
  wire.bound = hwloc_bitmap_isincluded(hwloc_topology_get_allowed_cpuset(t), binding.get()) ? 0 : 1;
  wire.package = covering_index(t, HWLOC_OBJ_PACKAGE, binding.get());
  wire.numa = covering_index(t, HWLOC_OBJ_NUMANODE, binding.get());
  wire.cache = covering_index(t, HWLOC_OBJ_L3CACHE, binding.get());
  if (wire.cache < 0 && hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_L3CACHE) == 0)
    wire.cache = covering_index(t, HWLOC_OBJ_L2CACHE, binding.get());
  wire.core = covering_index(t, HWLOC_OBJ_CORE, binding.get());
  char* text = nullptr;
  if (hwloc_bitmap_list_asprintf(&text, binding.get()) >= 0 && text) {
    copy_text(wire.cpuset, sizeof wire.cpuset, text);
    std::free(text);
  }
  // Unbound ranks are covered by everything, which says nothing about sharing: only a real binding counts.
  if (!wire.bound) wire.package = wire.numa = wire.cache = wire.core = -1;
  return wire;
}

}  // namespace

Topology discover(const mpi::Communicator& comm, const DiscoveryOptions& options) {
  if (options.virtual_nodes > comm.size())
    throw ConfigError("virtual_nodes", std::to_string(options.virtual_nodes),
                      fmt::format("at most the number of ranks ({})", comm.size()));
  const std::vector<PlacementWire> all = mpi::allgather(comm, place_this_rank(comm, options.virtual_nodes));

  std::vector<int> node_keys;
  for (const auto& wire : all) node_keys.push_back(wire.node_key);
  std::ranges::sort(node_keys);
  node_keys.erase(std::unique(node_keys.begin(), node_keys.end()), node_keys.end());

  std::vector<RankPlacement> placements;
  for (std::size_t r = 0; r < all.size(); ++r) {
    const PlacementWire& wire = all[r];
    placements.push_back(
        {.rank = static_cast<int>(r),
         .node = static_cast<int>(std::ranges::lower_bound(node_keys, wire.node_key) - node_keys.begin()),
         .host = wire.host,
         .local_rank = wire.local_rank,
         .package = wire.package,
         .numa = wire.numa,
         .cache = wire.cache,
         .core = wire.core,
         .bound = wire.bound != 0,
         .cpuset = wire.cpuset,
         .last_cpu = wire.last_cpu});
  }
  std::vector<double> latency;
  if (options.latency_probe) latency = measure_latency_us(comm, options.latency_probe_samples);
  return Topology::from_placements(std::move(placements), std::move(latency));
}

}  // namespace penumbra::topology
