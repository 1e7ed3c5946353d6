#include "shadow/planner.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "shadow/cost_model.hpp"
#include "shadow/eligibility.hpp"
#include "shadow/home_copy.hpp"
#include "shadow/placement.hpp"

namespace penumbra::shadow {
namespace {

bool every_reader_holds_a_copy(const ObjectValue& value, std::span<const ShadowPlacement> copies) {
  return std::ranges::all_of(value.readers(), [&](const ObjectValue::Reader& reader) {
    return std::ranges::any_of(copies, [&](const ShadowPlacement& copy) { return copy.rank == reader.rank; });
  });
}

}  // namespace

Planner make_planner(const Config& config, const Topology& topology, int self, ReadHistory& history,
                     const std::unordered_map<ObjectId, std::int64_t>& dependents,
                     std::optional<double> measured_push_us, std::vector<ObservedReadCost> observed) {
  const bool metadata_reads = config.shadow.enabled && config.metadata.enabled;
  return
      [&options = config.shadow, &topology, self, &history, &dependents, metadata_reads, measured_push_us,
       observed = std::move(observed)](std::span<const OwnedObjectStats> objects) {
        CostModel model;
        model.owner_service = kTwoSidedOwnerService;
        // With the metadata service, a reader finds the nearest shadow anywhere (one-sided); without it, only its
        // own shadow or the owner.
        model.remote_shadow_reads = metadata_reads;
        if (measured_push_us && std::isfinite(*measured_push_us))
          model.propagation_base_us = std::max(model.propagation_base_us, *measured_push_us);
        model.observed = observed;
        const CostTable costs(topology, model);
        // An object the owner publishes (home copy) is read one-sided from the owner too: its shadows are valued
        // against that, not against the owner's CPU, so the tail of the readers needs no copies of its own.
        CostModel published_model = model;
        published_model.owner_service = {};
        const CostTable published_costs(topology, published_model);
        const bool home_copies = metadata_reads && options.home_copies && !options.full_replication;
        const int ranks = topology.rank_count();
        // No load forecast reaches the shadow epoch yet: every rank has the same (full) headroom, so placement is
        // by value and proximity alone.
        const std::vector<RankState> states(static_cast<std::size_t>(ranks), RankState{1.0, {}});
        const std::vector<std::uint64_t> budgets = effective_budgets(states, options);

        std::vector<DesiredShadow> desired;
        ReadHistory this_window;
        for (const OwnedObjectStats& object : objects) {
          ObjectAccess access;
          access.id = object.id;
          access.owner = self;
          access.size_bytes = object.size_bytes;
          access.reads_by_rank = object.reads_by_rank;
          access.writes = object.writes;
          access.holders = object.holders;
          access.declared_reads_by_rank = object.declared_reads_by_rank;
          if (auto found = dependents.find(object.id); found != dependents.end()) access.dependents = found->second;
          if (auto previous = history.find(object.id); previous != history.end()) {
            access.previous_reads_by_rank = previous->second.reads_by_rank;
            access.previous_writes = previous->second.writes;
          }
          this_window[object.id] = WindowCounts{object.reads_by_rank, object.writes};
          validate_access(access, ranks);
          if (options.full_replication) {  // a copy everywhere, ranked by the policy's value for the budgets
            const ObjectValue value(access, costs, options);
            for (int rank = 0; rank < ranks; ++rank)
              if (rank != self)
                desired.push_back(DesiredShadow{object.id, rank, value.terms_with(rank, {}).value_us()});
            continue;
          }
          ValueTerms home;
          bool published = false;
          if (home_copies) {
            home = home_copy_terms(access, costs, options);
            published = wants_home_copy(home, object.home_copy, options);
          }
          const ObjectValue unpublished_value(access, costs, options);
          ObjectPlacement placement =
              published ? place_object(access, ObjectValue(access, published_costs, options), states, budgets, options)
                        : place_object(access, unpublished_value, states, budgets, options);
          // A home copy serves the readers without a copy of their own. When the shadows reach every reader it
          // serves nobody, and its slot is better left to another object's copy (in the Zipf benchmark's hot
          // set, a third of the window bytes); the shadows are then valued against the owner's CPU again.
          if (published && every_reader_holds_a_copy(unpublished_value, placement.chosen)) {
            published = false;
            placement = place_object(access, unpublished_value, states, budgets, options);
          }
          if (published) desired.push_back(DesiredShadow{object.id, self, home.value_us()});
          for (const ShadowPlacement& copy : placement.chosen)
            desired.push_back(DesiredShadow{object.id, copy.rank, copy.value_us});
        }
        history = std::move(this_window);
        return desired;
      };
}

}  // namespace penumbra::shadow
