// A BipedalWalker world on Box2D 2.4, behind a C interface so no Swift module needs C++
// interop. Terrain comes from the caller (Swift generates it from its keyed random streams, or
// a validation harness passes the reference environment's terrain), so this file holds only
// the physics: bodies, joints, motors, contacts and lidar, as in the original release's
// domain/bipedal_walker.py (gym's v2-era walker).
#ifndef WANN_WALKER_H
#define WANN_WALKER_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct WalkerWorld WalkerWorld;

/// A new, empty world. Free it with walker_destroy.
WalkerWorld *walker_create(void);
void walker_destroy(WalkerWorld *world);

/// Rebuilds the world for a new episode: terrain edges through the points (x[i], y[i]),
/// `polygonCount` static quadrilaterals (8 doubles each: x0 y0 x1 y1 x2 y2 x3 y3) for the
/// hardcore obstacles, in the order the terrain generator made them; the walker at its start
/// pose, with the horizontal push `initialForce` applied to the hull. Then takes the original's
/// first step with a zero action and writes its 24 observations into `observation`.
void walker_reset(WalkerWorld *world, const double *x, const double *y, int pointCount,
                  const double *polygons, int polygonCount, double initialForce, int stepLimit,
                  double *observation);

/// One step of 1/50 s with `action` (4 values; clipped by magnitude as the original does).
/// Writes the 24 observations, returns the reward; `done` is set when the hull touched the
/// ground, the walker left the terrain on either side, or `stepLimit` steps have passed.
double walker_step(WalkerWorld *world, const double *action, double *observation, int *done);

/// The hull's x position (for tests and diagnostics).
double walker_hull_x(const WalkerWorld *world);

#ifdef __cplusplus
}
#endif
#endif
