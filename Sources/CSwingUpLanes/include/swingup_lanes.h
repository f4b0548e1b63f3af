#ifndef WANN_SWINGUP_LANES_H
#define WANN_SWINGUP_LANES_H

#include <stdint.h>

#include "lanes.h"  // CLanes (a declared dependency in Package.swift)

/// Eight CartPoleSwingUp episodes, one per lane (arrays of 8).
typedef struct {
  double x[WANN_LANE_COUNT], xDot[WANN_LANE_COUNT], theta[WANN_LANE_COUNT], thetaDot[WANN_LANE_COUNT];
  /// sin and cos of the current theta (computed once per step, reused by reward and observation).
  double sinTheta[WANN_LANE_COUNT], cosTheta[WANN_LANE_COUNT];
  /// Steps taken in each lane's episode.
  int64_t t[WANN_LANE_COUNT];
  /// The step's inputs: each lane's action, and which lanes are playing (-1) or idle (0).
  double action[WANN_LANE_COUNT];
  int64_t active[WANN_LANE_COUNT];
  /// The step's results: each lane's reward, and -1 where its episode ended with this step.
  double reward[WANN_LANE_COUNT];
  int64_t done[WANN_LANE_COUNT];
} wann_swingup_lanes;

/// One step of every lane with its action (clipped to [-1, 1]; NaN counts as 0), bit for bit the
/// scalar CartPoleSwingUp.step of the Swift code: same operations in the same order, the
/// original's x**2 as glibc's pow(x, 2.0) wherever that can differ from x * x, and glibc's sin
/// and cos bits: computed in the lanes where they provably equal glibc's, from glibc (for active
/// lanes) elsewhere. Writes each lane's reward and done flag (the
/// first step's done flag is not set, as in the original).
void wann_swingup_step(wann_swingup_lanes *lanes);

/// The square the swing-up uses for the original's x**2: x * x where that provably equals
/// glibc's pow(x, 2.0), pow itself otherwise (exposed for the exactness check).
double wann_swingup_square(double x);

/// glibc's sin and cos of eight arguments as the step computes them (exposed for the exactness
/// check): fromLanes[l] has bit 0 set where the lanes vouched for sin, bit 1 for cos (glibc gave
/// the others), and bits 2 and 3 where such a value lay 0.40 ulp or more from the nearest double
/// (the hardest cases the lanes keep).
void wann_swingup_sincos(const double *x, double *sine, double *cosine, int64_t *fromLanes);

/// glibc's cos of eight arguments as the step computes the reward's (exposed for the exactness
/// check; all eight lanes playing): the lanes where they can vouch for glibc's bits (without a
/// reduction for |x| <= 1.2, with one beyond where four or more lanes need it; fromLanes[l] = 1),
/// glibc elsewhere (0).
void wann_swingup_reward_cos(const double *x, double *cosine, int64_t *fromLanes);

#endif
