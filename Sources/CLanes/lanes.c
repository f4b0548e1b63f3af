// The network's arithmetic on eight lanes, in clang's vector extensions: every slot is one
// 512-bit vector (one AVX-512 register, two AVX2 or four SSE2 ones). Written in C because clang
// keeps these vectors whole, where the same Swift SIMD8 code was split into 2-lane pieces. The
// kernels themselves are in lane_kernels.h, instantiated here at two widths: all eight lanes,
// and the first four (the narrow step for the end of a round of rollouts, when at most four
// lanes still play: half the instructions on a 256-bit core).
//
// Exactness: this file is compiled with -ffp-contract=off (never fuse a multiply and an add) and
// without fast-math, so each lane computes the same IEEE operations on any CPU and vector width,
// and a lane's result never depends on the other lanes.

#include "lanes.h"

#include <math.h>
#include <string.h>

/// 1.5 * 2^52: adding and subtracting it rounds |x| < 2^51 to the nearest integer, and the sum's
/// low bits hold that integer.
#define ROUNDING_MAGIC 6755399441055744.0

#define LANE_WIDTH 8
#include "lane_kernels.h"
#undef LANE_WIDTH
#define LANE_WIDTH 4
#include "lane_kernels.h"
#undef LANE_WIDTH

void wann_lanes_forward(const wann_program *program, double *values, double *previous,
                        const double *laneWeights, const double *connectionWeights) {
  forward8(program, values, previous, laneWeights, connectionWeights);
}

void wann_lanes_forward_narrow(const wann_program *program, double *values, double *previous,
                               const double *laneWeights, const double *connectionWeights) {
  forward4(program, values, previous, laneWeights, connectionWeights);
}

double wann_lanes_cross_entropy(const double *const *rows, int32_t outputs, const uint8_t *labels, int32_t count) {
  double total = 0.0;
  for (int32_t start = 0; start < count; start += WANN_LANES) {
    vd8 top = splat8(-INFINITY);
    for (int32_t o = 0; o < outputs; o++) {
      vd8 v = load8(rows[o] + start);
      top = select8(v > top, v, top);  // NaN outputs are skipped, as a running max(top, v) does
    }
    vd8 sum = splat8(0.0);
    for (int32_t o = 0; o < outputs; o++) sum += lanes_exp8(load8(rows[o] + start) - top);
    double tops[WANN_LANES], sums[WANN_LANES];
    store8(tops, top);
    store8(sums, sum);
    int32_t lanes = count - start < WANN_LANES ? count - start : WANN_LANES;
    for (int32_t l = 0; l < lanes; l++) {
      double loss = (tops[l] + log(sums[l])) - rows[labels[start + l]][start + l];
      total += isfinite(loss) ? loss : 1000.0;
    }
  }
  return total;
}

void wann_lanes_activate(int32_t activation, const double *in, double *out) { store8(out, activate8(activation, load8(in))); }
void wann_lanes_exp(const double *in, double *out) { store8(out, lanes_exp8(load8(in))); }
void wann_lanes_tanh(const double *in, double *out) { store8(out, lanes_tanh8(load8(in))); }
void wann_lanes_sinpi(const double *in, double *out) { store8(out, lanes_sinpi8(load8(in))); }
void wann_lanes_cospi(const double *in, double *out) { store8(out, lanes_cospi8(load8(in))); }
