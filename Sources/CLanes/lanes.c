// The network's arithmetic on eight lanes, in clang's vector extensions: every slot is one
// 512-bit vector (one AVX-512 register, two AVX2 or four SSE2 ones). Written in C because clang
// keeps these vectors whole, where the same Swift SIMD8 code was split into 2-lane pieces.
//
// Exactness: this file is compiled with -ffp-contract=off (never fuse a multiply and an add) and
// without fast-math, so each lane computes the same IEEE operations on any CPU and vector width,
// and a lane's result never depends on the other lanes.

#include "lanes.h"

#include <math.h>
#include <string.h>

typedef double v8d __attribute__((vector_size(8 * WANN_LANE_COUNT)));
typedef long long v8i __attribute__((vector_size(8 * WANN_LANE_COUNT)));

static inline v8d load(const double *p) { v8d v; memcpy(&v, p, sizeof v); return v; }
static inline void store(double *p, v8d v) { memcpy(p, &v, sizeof v); }
static inline v8d splat(double x) { v8d v; for (int l = 0; l < WANN_LANE_COUNT; l++) v[l] = x; return v; }
static inline v8i splati(long long x) { v8i v; for (int l = 0; l < WANN_LANE_COUNT; l++) v[l] = x; return v; }
/// a where the mask lane is all ones, b where it is zero.
static inline v8d select(v8i mask, v8d a, v8d b) { return (v8d)(((v8i)a & mask) | ((v8i)b & ~mask)); }
static inline v8d magnitude(v8d x) { return (v8d)((v8i)x & splati(0x7FFFFFFFFFFFFFFFLL)); }

/// 1.5 * 2^52: adding and subtracting it rounds |x| < 2^51 to the nearest integer, and the sum's
/// low bits hold that integer.
#define ROUNDING_MAGIC 6755399441055744.0

/// e^x within 1 ulp of glibc (fdlibm's method): x = k ln2 + r, |r| <= ln2/2, with ln2 in two
/// parts so k ln2 is exact; fdlibm's degree-5 rational remainder; 2^k applied in two exact halves
/// so subnormal results round once. NaN stays NaN, overflow gives +inf.
static inline v8d lanes_exp(v8d x) {
  const v8d magic = splat(ROUNDING_MAGIC);
  v8d xc = select(x > splat(710.0), splat(710.0), x);
  xc = select(xc < splat(-746.0), splat(-746.0), xc);
  v8d t = xc * 1.44269504088896338700e+00 + magic;
  v8d k = t - magic;
  v8d hi = xc - k * 6.93147180369123816490e-01;
  v8d lo = k * 1.90821492927058770002e-10;
  v8d r = hi - lo;
  v8d z = r * r;
  v8d p = splat(4.13813679705723846039e-08);
  p = p * z + -1.65339022054652515390e-06;
  p = p * z + 6.61375632143793436117e-05;
  p = p * z + -2.77777777770155933842e-03;
  p = p * z + 1.66666666666666019037e-01;
  v8d c = r - z * p;
  v8d y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  v8i ki = (v8i)t - (v8i)magic;
  v8i k1 = ki >> 1;
  v8i k2 = ki - k1;
  v8d s1 = (v8d)((k1 + 1023) << 52);
  v8d s2 = (v8d)((k2 + 1023) << 52);
  return (y * s1) * s2;
}

/// exp(-x^2/2), 0 where it underflows (x^2 > 1500).
static inline v8d lanes_gaussian(v8d x) {
  v8d x2 = x * x;
  return select(x2 > splat(1500.0), splat(0.0), lanes_exp(-x2 / 2.0));
}

/// tanh within 2 ulp of glibc: for |x| < 0.625 Cody and Waite's form x + x^3 P(x^2)/Q(x^2) with
/// Moshier's (Cephes) coefficients, otherwise 1 - 2/(e^{2|x|} + 1) with the sign of x; one
/// division serves both. NaN stays NaN; +-inf give +-1.
static inline v8d lanes_tanh(v8d x) {
  v8i sign = (v8i)x & splati((long long)0x8000000000000000ULL);
  v8d a = magnitude(x);
  v8i large = a >= splat(0.625);
  v8d s = lanes_exp(a + a);
  v8d z = x * x;
  v8d p = splat(-9.64399179425052238628e-01);
  p = p * z + -9.92877231001918586564e+01;
  p = p * z + -1.61468768441708447952e+03;
  v8d q = z + 1.12811678491632931402e+02;
  q = q * z + 2.23548839060100448583e+03;
  q = q * z + 4.84406305325125486048e+03;
  v8d f = select(large, splat(2.0), (x * z) * p) / select(large, s + 1.0, q);
  v8d big = (v8d)((v8i)(1.0 - f) | sign);
  return select(large, big, x + f);
}

/// sin(y) for |y| <= pi/4: fdlibm's __kernel_sin polynomial (error below 2^-58).
static inline v8d sin_kernel(v8d y) {
  v8d z = y * y;
  v8d p = splat(1.58969099521155010221e-10);
  p = p * z + -2.50507602534068634195e-08;
  p = p * z + 2.75573137070700676789e-06;
  p = p * z + -1.98412698298579493134e-04;
  p = p * z + 8.33333333332248946124e-03;
  return y + (y * z) * (-1.66666666666666324348e-01 + z * p);
}

/// cos(y) for |y| <= pi/4: fdlibm's __kernel_cos polynomial with its compensated 1 - z/2.
static inline v8d cos_kernel(v8d y) {
  v8d z = y * y;
  v8d p = splat(-1.13596475577881948265e-11);
  p = p * z + 2.08757232129817482790e-09;
  p = p * z + -2.75573143513906633035e-07;
  p = p * z + 2.48015872894767294178e-05;
  p = p * z + -1.38888888888741095749e-03;
  p = p * z + 4.16666666666666019037e-02;
  p = z * p;
  v8d half = 0.5 * z;
  v8d w = 1.0 - half;
  return w + (((1.0 - w) - half) + z * p);
}

/// x = 2m + n/2 + f exactly: quadrant n (mod 4), y = pi f with |f| <= 1/4; `huge` marks lanes
/// the reduction cannot take (|x| >= 2^51, infinities, NaN).
static inline v8d reduce_half_turns(v8d x, v8i *quadrant, v8i *huge) {
  const v8d magic = splat(ROUNDING_MAGIC);
  *huge = ~(magnitude(x) < splat(0x1p51));
  v8d xs = select(*huge, splat(0.0), x);
  v8d r = xs - 2.0 * ((xs * 0.5 + magic) - magic);
  v8d t = 2.0 * r + magic;
  v8d n = t - magic;
  *quadrant = (v8i)t - (v8i)magic;
  return 3.14159265358979311600e+00 * (r - 0.5 * n);
}

/// sin(pi x): the argument reduced exactly (pi x is never rounded), both kernels evaluated, the
/// quadrant picking one and its sign. |x| >= 2^51 (integers and half-integers) gives 0.
static inline v8d lanes_sinpi(v8d x) {
  v8i quadrant, huge;
  v8d y = reduce_half_turns(x, &quadrant, &huge);
  v8d s = sin_kernel(y), c = cos_kernel(y);
  v8d v = select(-(quadrant & 1), c, s);
  v8d signed_v = (v8d)((v8i)v ^ ((quadrant & 2) << 62));
  return select(huge, 0.0 * magnitude(x), signed_v);
}

/// cos(pi x), reduced like sin; |x| >= 2^51 gives 1 (NaN for infinities and NaN).
static inline v8d lanes_cospi(v8d x) {
  v8i quadrant, huge;
  v8d y = reduce_half_turns(x, &quadrant, &huge);
  v8d s = sin_kernel(y), c = cos_kernel(y);
  v8d v = select(-(quadrant & 1), s, c);
  v8d signed_v = (v8d)((v8i)v ^ (((quadrant + 1) & 2) << 62));
  return select(huge, 0.0 * x + 1.0, signed_v);
}

/// The activation with the original release's id: the one implementation of every activation.
static inline __attribute__((always_inline)) v8d activate(int32_t id, v8d x) {
  switch (id) {
  case 1: return x;                                                  // linear
  case 2: return select(x > splat(0.0), splat(1.0), splat(0.0));    // step (NaN -> 0)
  case 3: return lanes_sinpi(x);                                     // sin(pi x)
  case 4: return lanes_gaussian(x);                                  // exp(-x^2/2)
  case 5: return lanes_tanh(x);
  case 6: return (lanes_tanh(x / 2.0) + 1.0) / 2.0;                  // sigmoid, as the original
  case 7: return -x;                                                 // "inverse" is negation
  case 8: return magnitude(x);                                       // abs
  case 9: return select(x > splat(0.0), x, splat(0.0));             // relu (NaN -> 0)
  case 10: return lanes_cospi(x);                                    // cos(pi x)
  case 11: return x * x;                                             // square
  default: return x;
  }
}

void wann_lanes_forward(const wann_program *program, double *values, double *previous,
                        const double *laneWeights, const double *connectionWeights) {
  const int32_t *sourceStart = program->sourceStart, *sources = program->sources;
  const int32_t count = program->evaluatedCount, first = program->firstEvaluated;
  const int32_t recurrent = program->recurrentCount;
  int32_t e = sourceStart[0], d = 0;
  if (connectionWeights) {
    const double *recurrentWeights = connectionWeights + (long)program->feedForwardConnectionCount * WANN_LANES;
    for (int32_t k = 0; k < count; k++) {
      v8d sum = splat(0.0);
      for (int32_t end = sourceStart[k + 1]; e < end; e++)
        sum += load(connectionWeights + (long)e * WANN_LANES) * load(values + (long)sources[e] * WANN_LANES);
      if (recurrent > 0)
        for (int32_t end = program->recurrentStart[k + 1]; d < end; d++)
          sum += load(recurrentWeights + (long)d * WANN_LANES) * load(previous + (long)d * WANN_LANES);
      store(values + (long)(first + k) * WANN_LANES, activate(program->activations[k], sum));
    }
  } else {
    const v8d weight = load(laneWeights);
    for (int32_t k = 0; k < count; k++) {
      v8d sum = splat(0.0);
      for (int32_t end = sourceStart[k + 1]; e < end; e++) sum += load(values + (long)sources[e] * WANN_LANES);
      if (recurrent > 0)
        for (int32_t end = program->recurrentStart[k + 1]; d < end; d++) sum += load(previous + (long)d * WANN_LANES);
      store(values + (long)(first + k) * WANN_LANES, activate(program->activations[k], weight * sum));
    }
  }
  for (int32_t r = 0; r < recurrent; r++)
    store(previous + (long)r * WANN_LANES, load(values + (long)program->recurrentSources[r] * WANN_LANES));
}

double wann_lanes_cross_entropy(const double *const *rows, int32_t outputs, const uint8_t *labels, int32_t count) {
  double total = 0.0;
  for (int32_t start = 0; start < count; start += WANN_LANES) {
    v8d top = splat(-INFINITY);
    for (int32_t o = 0; o < outputs; o++) {
      v8d v = load(rows[o] + start);
      top = select(v > top, v, top);  // NaN outputs are skipped, as a running max(top, v) does
    }
    v8d sum = splat(0.0);
    for (int32_t o = 0; o < outputs; o++) sum += lanes_exp(load(rows[o] + start) - top);
    double tops[WANN_LANES], sums[WANN_LANES];
    store(tops, top);
    store(sums, sum);
    int32_t lanes = count - start < WANN_LANES ? count - start : WANN_LANES;
    for (int32_t l = 0; l < lanes; l++) {
      double loss = (tops[l] + log(sums[l])) - rows[labels[start + l]][start + l];
      total += isfinite(loss) ? loss : 1000.0;
    }
  }
  return total;
}

void wann_lanes_activate(int32_t activation, const double *in, double *out) { store(out, activate(activation, load(in))); }
void wann_lanes_exp(const double *in, double *out) { store(out, lanes_exp(load(in))); }
void wann_lanes_tanh(const double *in, double *out) { store(out, lanes_tanh(load(in))); }
void wann_lanes_sinpi(const double *in, double *out) { store(out, lanes_sinpi(load(in))); }
void wann_lanes_cospi(const double *in, double *out) { store(out, lanes_cospi(load(in))); }
