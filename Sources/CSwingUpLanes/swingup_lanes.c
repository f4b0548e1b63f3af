// The swing-up's physics on eight lanes. Compiled with -ffp-contract=off, -fno-builtin-pow (so
// pow(x, 2.0) stays a call to glibc's pow instead of being folded into x * x; likewise for sin
// and cos) and without fast-math: every lane is the scalar Swift step's IEEE operations in the
// same order, and sin and cos are glibc's bits (lane_trig.h says how the lanes vouch for them).

#define _GNU_SOURCE  // sincos
#include "swingup_lanes.h"

#include <math.h>

typedef double v8d __attribute__((vector_size(8 * WANN_LANE_COUNT)));
typedef long long v8i __attribute__((vector_size(8 * WANN_LANE_COUNT)));

static inline v8d load(const double *p) { v8d v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void store(double *p, v8d v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v8i loadi(const int64_t *p) { v8i v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void storei(int64_t *p, v8i v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v8d splat(double x) { v8d v; for (int l = 0; l < WANN_LANE_COUNT; l++) v[l] = x; return v; }
static inline v8i splati(long long x) { v8i v; for (int l = 0; l < WANN_LANE_COUNT; l++) v[l] = x; return v; }
static inline v8d select(v8i mask, v8d a, v8d b) { return (v8d)(((v8i)a & mask) | ((v8i)b & ~mask)); }

#include "lane_trig.h"

/// Fewest playing lanes for which the step computes sin and cos in the lanes: below it, glibc
/// per playing lane costs less than the eight lanes' arithmetic (measured: docs/performance.md).
#define LANE_TRIG_MIN_BUSY 4

/// The reward's cos(x / 2.4 * pi / 2) for the playing lanes: without a reduction near the
/// centre; where at least LANE_TRIG_MIN_BUSY playing lanes lie beyond that (|x| > 1.83, early
/// searches), by the reduced path for them. `exact` says where the lanes vouch for glibc's bits.
static inline __attribute__((always_inline)) v8d reward_cos(v8d argument, v8i active, v8i *exact) {
  v8d cosine = lane_cos_near_zero(argument, exact);
  if (-__builtin_reduce_add(active & ~*exact) >= LANE_TRIG_MIN_BUSY) {
    v8d sinUnused, cosReduced;
    v8i sinUnusedExact, cosReducedExact;
    lane_sincos(argument, &sinUnused, &cosReduced, &sinUnusedExact, &cosReducedExact, 0);
    cosine = select(*exact, cosine, cosReduced);
    *exact |= cosReducedExact;
  }
  return cosine;
}

// Constants as the Swift CartPoleSwingUp computes them.
static const double gravity = 9.82, cartMass = 0.5, poleMass = 0.5, poleLength = 0.6;
static const double forceMagnitude = 10.0, dt = 0.01, friction = 0.1, xThreshold = 2.4;
static const long long stepLimit = 1000;

/// Lanes where x * x is certainly what pow(x, 2.0) returns (see PowSquare in OriginalSquare.swift:
/// the product's exact rounding error, by Dekker's two-product, is below 0.48 ulp and the square
/// lies in (2^-64, 2^64), where glibc's pow is within 0.514 ulp).
static inline v8i product_is_safe(v8d x, v8d p) {
  v8i pBits = (v8i)p;
  v8i inRange = (p > splat(0x1p-64)) & (p < splat(0x1p64)) & ((pBits & splati(0x000FFFFFFFFFFFFFLL)) != splati(0));
  v8d c = 134217729.0 * x;  // 2^27 + 1: Veltkamp split
  v8d hi = c - (c - x);
  v8d lo = x - hi;
  v8d r = ((hi * hi - p) + (2.0 * hi) * lo) + lo * lo;
  v8d ulp = (v8d)((pBits & splati(0x7FF0000000000000LL)) - splati(0x0340000000000000LL));
  v8d magnitude = (v8d)((v8i)r & splati(0x7FFFFFFFFFFFFFFFLL));
  return inRange & (magnitude < 0.48 * ulp);
}

static inline v8d square(v8d x, v8i active) {
  v8d p = x * x;
  v8i ask = active & ~product_is_safe(x, p);
  if (!__builtin_reduce_or(ask)) return p;
  double squares[WANN_LANE_COUNT], values[WANN_LANE_COUNT];
  store(squares, p);
  store(values, x);
  for (int l = 0; l < WANN_LANE_COUNT; l++)
    if (ask[l]) squares[l] = pow(values[l], 2.0);
  return load(squares);
}

double wann_swingup_square(double x) {
  v8d v = splat(x);
  return square(v, splati(-1))[0];
}

void wann_swingup_step(wann_swingup_lanes *lanes) {
  const v8i active = loadi(lanes->active);
  const double totalMass = poleMass + cartMass, poleMassLength = poleMass * poleLength;
  v8d a = load(lanes->action);
  a = select(a != a, splat(0.0), a);
  a = select(a < splat(-1.0), splat(-1.0), a);
  a = select(a > splat(1.0), splat(1.0), a);
  v8d force = a * forceMagnitude;
  v8d s = load(lanes->sinTheta), c = load(lanes->cosTheta);
  v8d x = load(lanes->x), xDot = load(lanes->xDot), theta = load(lanes->theta), thetaDot = load(lanes->thetaDot);
  v8d td2 = square(thetaDot, active);
  v8d c2 = square(c, active);
  v8d xAcc = ((((-2 * poleMassLength) * td2) * s + (((3 * poleMass) * gravity) * s) * c) + 4 * force
              - (4 * friction) * xDot) / ((4 * totalMass) - (3 * poleMass) * c2);
  v8d thetaAcc = (((((-3 * poleMassLength) * td2) * s) * c + ((6 * totalMass) * gravity) * s)
                  + (6 * (force - friction * xDot)) * c) / (((4 * poleLength) * totalMass) - (3 * poleMassLength) * c2);
  x = x + xDot * dt;
  theta = theta + thetaDot * dt;
  xDot = xDot + xAcc * dt;
  thetaDot = thetaDot + thetaAcc * dt;
  v8i t = loadi(lanes->t) + 1;
  v8i ended = (x < splat(-xThreshold)) | (x > splat(xThreshold)) | (t >= splati(stepLimit));
  v8d argument = (x / xThreshold) * (3.14159265358979311600e+00 / 2.0);
  double rewardX[WANN_LANE_COUNT];
  if (-__builtin_reduce_add(active) >= LANE_TRIG_MIN_BUSY) {
    v8d sinTheta, cosTheta;
    v8i sinExact, cosExact, cosArgumentExact;
    lane_sincos(theta, &sinTheta, &cosTheta, &sinExact, &cosExact, 0);
    // Idle lanes keep their state, as glibc's per-lane calls left it.
    store(lanes->sinTheta, select(active, sinTheta, load(lanes->sinTheta)));
    store(lanes->cosTheta, select(active, cosTheta, load(lanes->cosTheta)));
    store(rewardX, select(active, reward_cos(argument, active, &cosArgumentExact), splat(0.0)));
    // Where the lanes cannot vouch for glibc's bits (about one value in nine), glibc itself.
    v8i askSin = active & ~sinExact, askCos = active & ~cosExact, askArgument = active & ~cosArgumentExact;
    if (__builtin_reduce_or(askSin | askCos | askArgument)) {
      double angles[WANN_LANE_COUNT], arguments[WANN_LANE_COUNT];
      store(angles, theta);
      store(arguments, argument);
      for (int l = 0; l < WANN_LANE_COUNT; l++) {
        if (askSin[l]) lanes->sinTheta[l] = sin(angles[l]);
        if (askCos[l]) lanes->cosTheta[l] = cos(angles[l]);
        if (askArgument[l]) rewardX[l] = cos(arguments[l]);
      }
    }
  } else {
    // Few lanes playing (the end of a round): glibc per lane is cheaper than eight lanes' work.
    double angles[WANN_LANE_COUNT], arguments[WANN_LANE_COUNT];
    store(angles, theta);
    store(arguments, argument);
    for (int l = 0; l < WANN_LANE_COUNT; l++) {
      rewardX[l] = 0;
      if (!lanes->active[l]) continue;
      sincos(angles[l], &lanes->sinTheta[l], &lanes->cosTheta[l]);
      rewardX[l] = cos(arguments[l]);
    }
  }
  v8d rewardTheta = (load(lanes->cosTheta) + 1.0) / 2.0;
  store(lanes->x, x);
  store(lanes->xDot, xDot);
  store(lanes->theta, theta);
  store(lanes->thetaDot, thetaDot);
  storei(lanes->t, t);
  store(lanes->reward, rewardTheta * load(rewardX));
  storei(lanes->done, ended & (t > splati(1)));
}

void wann_swingup_reward_cos(const double *x, double *cosine, int64_t *fromLanes) {
  v8i exact;
  store(cosine, reward_cos(load(x), splati(-1), &exact));
  storei(fromLanes, exact & splati(1));
  for (int l = 0; l < WANN_LANE_COUNT; l++)
    if (!exact[l]) cosine[l] = cos(x[l]);
}

void wann_swingup_sincos(const double *x, double *sine, double *cosine, int64_t *fromLanes) {
  v8d s, c;
  v8i sinExact, cosExact, hardest;
  lane_sincos(load(x), &s, &c, &sinExact, &cosExact, &hardest);
  store(sine, s);
  store(cosine, c);
  storei(fromLanes, (sinExact & splati(1)) | (cosExact & splati(2)) | (hardest << 2));
  for (int l = 0; l < WANN_LANE_COUNT; l++) {
    if (!sinExact[l]) sine[l] = sin(x[l]);
    if (!cosExact[l]) cosine[l] = cos(x[l]);
  }
}
