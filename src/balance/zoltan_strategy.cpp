// `zoltan` (built where Zoltan is found): Zoltan's parallel hypergraph partitioner (PHG) in repartitioning
// mode, the migration-aware baseline of Catalyurek et al. Vertices are objects weighted by predicted cost and
// sized by their bytes; every object with neighbours is one hyperedge {object, its neighbours} weighted by its
// mean halo bytes per step; PHG_REPART_MULTIPLIER = steps_until_next_epoch weighs that communication against
// the bytes a move transfers, as our own gain does. It runs on MPI_COMM_SELF (every rank could compute the same
// plan from the same snapshot), so MPI must be initialised; the rest of src/balance/ stays MPI-free.
#include <fmt/format.h>
#include <mpi.h>
#include <zoltan.h>

#include <climits>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "balance/plan_support.hpp"
#include "balance/strategies.hpp"
#include "penumbra/errors.hpp"

namespace penumbra::balance {
namespace {

// What Zoltan's callbacks read: the snapshot and its hyperedges in compressed-edge form.
struct Hypergraph {
  const EpochInput* input = nullptr;
  const LoadView* view = nullptr;
  std::vector<ZOLTAN_ID_TYPE> edge_ids;  // the object each hyperedge is centred on
  std::vector<int> offsets;              // pins of edge e: pins[offsets[e] .. offsets[e + 1])
  std::vector<ZOLTAN_ID_TYPE> pins;
  std::vector<float> weights;
};

Hypergraph build_hypergraph(const EpochInput& input, const ObjectIndex& index, const LoadView& view) {
  Hypergraph graph{&input, &view, {}, {0}, {}, {}};
  for (std::size_t i = 0; i < input.objects.size(); ++i) {
    const ObjectState& object = input.objects[i];
    double bytes = 0.0;
    std::size_t neighbours = 0;
    const std::size_t first_pin = graph.pins.size();
    graph.pins.push_back(static_cast<ZOLTAN_ID_TYPE>(i));
    for (const Edge& edge : object.edges)
      if (const auto other = index.find(edge.other); other && *other != i) {
        if (!(std::isfinite(edge.bytes_per_step) && edge.bytes_per_step >= 0.0))
          throw InvalidLoad(fmt::format("edge bytes_per_step of object {} = {} (expected a finite value >= 0)",
                                        to_string(object.id), edge.bytes_per_step));
        graph.pins.push_back(static_cast<ZOLTAN_ID_TYPE>(*other));
        bytes += edge.bytes_per_step;
        ++neighbours;
      }
    if (neighbours == 0) {  // a hyperedge of one object is never cut: leave it out
      graph.pins.resize(first_pin);
      continue;
    }
    graph.edge_ids.push_back(static_cast<ZOLTAN_ID_TYPE>(i));
    graph.offsets.push_back(static_cast<int>(graph.pins.size()));
    graph.weights.push_back(static_cast<float>(bytes / static_cast<double>(neighbours)));
  }
  return graph;
}

const Hypergraph& graph_of(void* data) { return *static_cast<const Hypergraph*>(data); }

int object_count(void* data, int* error) {
  *error = ZOLTAN_OK;
  return static_cast<int>(graph_of(data).input->objects.size());
}

void object_list(void* data, int, int, ZOLTAN_ID_PTR global_ids, ZOLTAN_ID_PTR local_ids, int weight_dim,
                 float* weights, int* error) {
  const Hypergraph& graph = graph_of(data);
  for (std::size_t i = 0; i < graph.input->objects.size(); ++i) {
    global_ids[i] = local_ids[i] = static_cast<ZOLTAN_ID_TYPE>(i);
    if (weight_dim == 1) weights[i] = static_cast<float>(graph.view->cost[i]);
  }
  *error = ZOLTAN_OK;
}

void current_parts(void* data, int, int, int count, ZOLTAN_ID_PTR global_ids, ZOLTAN_ID_PTR, int* parts, int* error) {
  const Hypergraph& graph = graph_of(data);
  for (int i = 0; i < count; ++i) parts[i] = graph.input->objects[global_ids[i]].owner;
  *error = ZOLTAN_OK;
}

void object_sizes(void* data, int, int, int count, ZOLTAN_ID_PTR global_ids, ZOLTAN_ID_PTR, int* bytes, int* error) {
  const Hypergraph& graph = graph_of(data);
  for (int i = 0; i < count; ++i)
    bytes[i] = static_cast<int>(std::min<std::uint64_t>(graph.input->objects[global_ids[i]].size_bytes, INT_MAX));
  *error = ZOLTAN_OK;
}

void hypergraph_size(void* data, int* lists, int* pins, int* format, int* error) {
  const Hypergraph& graph = graph_of(data);
  *lists = static_cast<int>(graph.edge_ids.size());
  *pins = static_cast<int>(graph.pins.size());
  *format = ZOLTAN_COMPRESSED_EDGE;
  *error = ZOLTAN_OK;
}

void hypergraph_pins(void* data, int, int edges, int pins, int, ZOLTAN_ID_PTR edge_ids, int* offsets,
                     ZOLTAN_ID_PTR pin_ids, int* error) {
  const Hypergraph& graph = graph_of(data);
  std::copy_n(graph.edge_ids.begin(), edges, edge_ids);
  std::copy_n(graph.offsets.begin(), edges, offsets);
  std::copy_n(graph.pins.begin(), pins, pin_ids);
  *error = ZOLTAN_OK;
}

void edge_weight_count(void* data, int* edges, int* error) {
  *edges = static_cast<int>(graph_of(data).edge_ids.size());
  *error = ZOLTAN_OK;
}

void edge_weights(void* data, int, int lid_entries, int edges, int, ZOLTAN_ID_PTR edge_ids, ZOLTAN_ID_PTR edge_lids,
                  float* weights, int* error) {
  const Hypergraph& graph = graph_of(data);
  for (int e = 0; e < edges; ++e) {
    edge_ids[e] = graph.edge_ids[e];
    if (lid_entries > 0) edge_lids[e] = static_cast<ZOLTAN_ID_TYPE>(e);
    weights[e] = graph.weights[e];
  }
  *error = ZOLTAN_OK;
}

struct ZoltanDestroy {
  void operator()(Zoltan_Struct* zz) const { Zoltan_Destroy(&zz); }
};

// Frees the part lists Zoltan_LB_Partition allocated, however plan() leaves.
struct PartLists {
  ZOLTAN_ID_PTR import_global = nullptr, import_local = nullptr, export_global = nullptr, export_local = nullptr;
  int *import_procs = nullptr, *import_parts = nullptr, *export_procs = nullptr, *export_parts = nullptr;
  ~PartLists() {
    Zoltan_LB_Free_Part(&import_global, &import_local, &import_procs, &import_parts);
    Zoltan_LB_Free_Part(&export_global, &export_local, &export_procs, &export_parts);
  }
};

class ZoltanStrategy final : public Strategy {
 public:
  std::string_view name() const noexcept override { return "zoltan"; }

  Plan plan(const EpochInput& input) const override {
    const auto start = std::chrono::steady_clock::now();
    const auto [index, view] = prepare(input, CostSource::predicted);
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised)
      throw InvalidArgument("the zoltan strategy needs MPI initialised (it runs Zoltan on MPI_COMM_SELF)");
    std::vector<PlannedMove> moves;
    if (!input.objects.empty()) {
      static std::once_flag once;
      std::call_once(once, [] {
        float version = 0.0F;
        Zoltan_Initialize(0, nullptr, &version);
      });
      Hypergraph graph = build_hypergraph(input, index, view);
      std::unique_ptr<Zoltan_Struct, ZoltanDestroy> zz(Zoltan_Create(MPI_COMM_SELF));
      const auto set = [&](const char* key, const std::string& value) {
        Zoltan_Set_Param(zz.get(), key, value.c_str());
      };
      set("DEBUG_LEVEL", "0");
      set("LB_METHOD", "HYPERGRAPH");
      set("HYPERGRAPH_PACKAGE", "PHG");
      set("LB_APPROACH", "REPARTITION");
      set("NUM_GID_ENTRIES", "1");
      set("NUM_LID_ENTRIES", "1");
      set("NUM_GLOBAL_PARTS", std::to_string(input.ranks.size()));
      set("RETURN_LISTS", "PARTS");
      set("OBJ_WEIGHT_DIM", "1");
      set("EDGE_WEIGHT_DIM", "1");
      set("IMBALANCE_TOL", fmt::format("{}", 1.0 + input.threshold));
      set("PHG_REPART_MULTIPLIER", fmt::format("{}", input.steps_until_next_epoch));
      void* data = &graph;
      Zoltan_Set_Num_Obj_Fn(zz.get(), object_count, data);
      Zoltan_Set_Obj_List_Fn(zz.get(), object_list, data);
      Zoltan_Set_Part_Multi_Fn(zz.get(), current_parts, data);
      Zoltan_Set_Obj_Size_Multi_Fn(zz.get(), object_sizes, data);
      Zoltan_Set_HG_Size_CS_Fn(zz.get(), hypergraph_size, data);
      Zoltan_Set_HG_CS_Fn(zz.get(), hypergraph_pins, data);
      Zoltan_Set_HG_Size_Edge_Wts_Fn(zz.get(), edge_weight_count, data);
      Zoltan_Set_HG_Edge_Wts_Fn(zz.get(), edge_weights, data);
      PartLists lists;
      int changes = 0, gid_entries = 0, lid_entries = 0, imports = 0, exports = 0;
      const int code =
          Zoltan_LB_Partition(zz.get(), &changes, &gid_entries, &lid_entries, &imports, &lists.import_global,
                              &lists.import_local, &lists.import_procs, &lists.import_parts, &exports,
                              &lists.export_global, &lists.export_local, &lists.export_procs, &lists.export_parts);
      if (code != ZOLTAN_OK)
        throw InvalidArgument(fmt::format("Zoltan_LB_Partition returned {} (expected ZOLTAN_OK)", code));
      for (int e = 0; e < exports; ++e) {
        const std::size_t object = lists.export_global[e];
        const int to = lists.export_parts[e];
        if (object < input.objects.size() && to != input.objects[object].owner && to >= 0 &&
            to < static_cast<int>(input.ranks.size()))
          moves.push_back(make_move(input, object, to, MoveReason::rebalance, view.cost[object]));
      }
    }
    Plan plan = finish_plan(index, view, std::move(moves), 1, centralised_messages(input.ranks.size()));
    plan.plan_seconds = seconds_since(start);
    return plan;
  }
};

}  // namespace

std::unique_ptr<Strategy> make_zoltan_strategy() { return std::make_unique<ZoltanStrategy>(); }

}  // namespace penumbra::balance
