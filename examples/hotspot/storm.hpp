#pragma once
// The cost of each block of the hotspot demo: a storm crossing the domain. Pure, so that every rank (and
// the oracle) agrees on the work of any block at any step without talking.
#include <cmath>

namespace hotspot {

struct StormOptions {
  int blocks_x = 8;
  int blocks_y = 8;
  int steps = 120;             ///< length of the run, in steps
  double base_us = 1000.0;     ///< work per block per step outside the storm (1 ms: the work, not the per-step
                               ///< overheads of an oversubscribed 2-core node, sets the time)
  double amplitude = 12.0;     ///< at the storm's eye a block costs base x (1 + amplitude)
  double radius_blocks = 1.0;  ///< e-folding radius of the storm
  int crossings = 3;           ///< times the storm crosses the domain over `steps` (it re-enters at the left)
};

/// Where the storm's eye is at `step` (in block coordinates): it enters at the left edge, leaves at the
/// right edge, and drifts across half the height on the way (so it crosses rank boundaries in both
/// directions of a strip decomposition).
struct Eye {
  double x = 0.0;
  double y = 0.0;
};

inline Eye storm_eye(const StormOptions& storm, double step) {
  const double progress = step / static_cast<double>(storm.steps);  // of the whole run, for the drift
  const double crossing = progress * storm.crossings - std::floor(progress * storm.crossings);  // of this pass
  return {-storm.radius_blocks + crossing * (storm.blocks_x + 2.0 * storm.radius_blocks),
          storm.blocks_y * (0.25 + 0.5 * progress)};
}

/// Work of block (bx, by) at `step`, microseconds.
inline double block_cost_us(const StormOptions& storm, int bx, int by, double step) {
  const Eye eye = storm_eye(storm, step);
  const double dx = bx + 0.5 - eye.x, dy = by + 0.5 - eye.y;
  const double d2 = (dx * dx + dy * dy) / (storm.radius_blocks * storm.radius_blocks);
  return storm.base_us * (1.0 + storm.amplitude * std::exp(-0.5 * d2));
}

}  // namespace hotspot
