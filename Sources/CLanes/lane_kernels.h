// The network's lane kernels at one vector width, included once per width by lanes.c (so this file
// has no include guard): define LANE_WIDTH (8: the full slot; 4: the first four lanes of each
// eight-lane slot) before including it. Every name below gets the width as a suffix (load8,
// load4, forward8, ...), so the two instantiations live side by side in one translation unit.
//
// A slot always holds WANN_LANES doubles; a width-4 kernel reads and writes the first four of each
// and leaves the rest alone. Every lane computes the same IEEE operations at either width, so a
// lane's bits do not depend on the width it ran at (LaneNarrowTests checks it).

#ifndef LANE_WIDTH
#error "define LANE_WIDTH (8 or 4) before including lane_kernels.h"
#endif

#define LANE_CAT_(name, width) name##width
#define LANE_CAT(name, width) LANE_CAT_(name, width)
#define vd LANE_CAT(vd, LANE_WIDTH)
#define vi LANE_CAT(vi, LANE_WIDTH)
#define load LANE_CAT(load, LANE_WIDTH)
#define store LANE_CAT(store, LANE_WIDTH)
#define splat LANE_CAT(splat, LANE_WIDTH)
#define splati LANE_CAT(splati, LANE_WIDTH)
#define select LANE_CAT(select, LANE_WIDTH)
#define magnitude LANE_CAT(magnitude, LANE_WIDTH)
#define lanes_exp LANE_CAT(lanes_exp, LANE_WIDTH)
#define lanes_gaussian LANE_CAT(lanes_gaussian, LANE_WIDTH)
#define lanes_tanh LANE_CAT(lanes_tanh, LANE_WIDTH)
#define sin_kernel LANE_CAT(sin_kernel, LANE_WIDTH)
#define cos_kernel LANE_CAT(cos_kernel, LANE_WIDTH)
#define reduce_half_turns LANE_CAT(reduce_half_turns, LANE_WIDTH)
#define lanes_sinpi LANE_CAT(lanes_sinpi, LANE_WIDTH)
#define lanes_cospi LANE_CAT(lanes_cospi, LANE_WIDTH)
#define activate LANE_CAT(activate, LANE_WIDTH)
#define forward LANE_CAT(forward, LANE_WIDTH)

typedef double vd __attribute__((vector_size(8 * LANE_WIDTH)));
typedef long long vi __attribute__((vector_size(8 * LANE_WIDTH)));

static inline vd load(const double *p) { vd v; memcpy(&v, p, sizeof v); return v; }
static inline void store(double *p, vd v) { memcpy(p, &v, sizeof v); }
static inline vd splat(double x) { vd v; for (int l = 0; l < LANE_WIDTH; l++) v[l] = x; return v; }
static inline vi splati(long long x) { vi v; for (int l = 0; l < LANE_WIDTH; l++) v[l] = x; return v; }
/// a where the mask lane is all ones, b where it is zero.
static inline vd select(vi mask, vd a, vd b) { return (vd)(((vi)a & mask) | ((vi)b & ~mask)); }
static inline vd magnitude(vd x) { return (vd)((vi)x & splati(0x7FFFFFFFFFFFFFFFLL)); }

/// e^x within 1 ulp of glibc (fdlibm's method): x = k ln2 + r, |r| <= ln2/2, with ln2 in two
/// parts so k ln2 is exact; fdlibm's degree-5 rational remainder; 2^k applied in two exact halves
/// so subnormal results round once. NaN stays NaN, overflow gives +inf.
static inline vd lanes_exp(vd x) {
  const vd magic = splat(ROUNDING_MAGIC);
  vd xc = select(x > splat(710.0), splat(710.0), x);
  xc = select(xc < splat(-746.0), splat(-746.0), xc);
  vd t = xc * 1.44269504088896338700e+00 + magic;
  vd k = t - magic;
  vd hi = xc - k * 6.93147180369123816490e-01;
  vd lo = k * 1.90821492927058770002e-10;
  vd r = hi - lo;
  vd z = r * r;
  vd p = splat(4.13813679705723846039e-08);
  p = p * z + -1.65339022054652515390e-06;
  p = p * z + 6.61375632143793436117e-05;
  p = p * z + -2.77777777770155933842e-03;
  p = p * z + 1.66666666666666019037e-01;
  vd c = r - z * p;
  vd y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  vi ki = (vi)t - (vi)magic;
  vi k1 = ki >> 1;
  vi k2 = ki - k1;
  vd s1 = (vd)((k1 + 1023) << 52);
  vd s2 = (vd)((k2 + 1023) << 52);
  return (y * s1) * s2;
}

/// exp(-x^2/2), 0 where it underflows (x^2 > 1500).
static inline vd lanes_gaussian(vd x) {
  vd x2 = x * x;
  return select(x2 > splat(1500.0), splat(0.0), lanes_exp(-x2 / 2.0));
}

/// tanh within 2 ulp of glibc: for |x| < 0.625 Cody and Waite's form x + x^3 P(x^2)/Q(x^2) with
/// Moshier's (Cephes) coefficients, otherwise 1 - 2/(e^{2|x|} + 1) with the sign of x; one
/// division serves both. NaN stays NaN; +-inf give +-1.
static inline vd lanes_tanh(vd x) {
  vi sign = (vi)x & splati((long long)0x8000000000000000ULL);
  vd a = magnitude(x);
  vi large = a >= splat(0.625);
  vd s = lanes_exp(a + a);
  vd z = x * x;
  vd p = splat(-9.64399179425052238628e-01);
  p = p * z + -9.92877231001918586564e+01;
  p = p * z + -1.61468768441708447952e+03;
  vd q = z + 1.12811678491632931402e+02;
  q = q * z + 2.23548839060100448583e+03;
  q = q * z + 4.84406305325125486048e+03;
  vd f = select(large, splat(2.0), (x * z) * p) / select(large, s + 1.0, q);
  vd big = (vd)((vi)(1.0 - f) | sign);
  return select(large, big, x + f);
}

/// sin(y) for |y| <= pi/4: fdlibm's __kernel_sin polynomial (error below 2^-58).
static inline vd sin_kernel(vd y) {
  vd z = y * y;
  vd p = splat(1.58969099521155010221e-10);
  p = p * z + -2.50507602534068634195e-08;
  p = p * z + 2.75573137070700676789e-06;
  p = p * z + -1.98412698298579493134e-04;
  p = p * z + 8.33333333332248946124e-03;
  return y + (y * z) * (-1.66666666666666324348e-01 + z * p);
}

/// cos(y) for |y| <= pi/4: fdlibm's __kernel_cos polynomial with its compensated 1 - z/2.
static inline vd cos_kernel(vd y) {
  vd z = y * y;
  vd p = splat(-1.13596475577881948265e-11);
  p = p * z + 2.08757232129817482790e-09;
  p = p * z + -2.75573143513906633035e-07;
  p = p * z + 2.48015872894767294178e-05;
  p = p * z + -1.38888888888741095749e-03;
  p = p * z + 4.16666666666666019037e-02;
  p = z * p;
  vd half = 0.5 * z;
  vd w = 1.0 - half;
  return w + (((1.0 - w) - half) + z * p);
}

/// x = 2m + n/2 + f exactly: quadrant n (mod 4), y = pi f with |f| <= 1/4; `huge` marks lanes
/// the reduction cannot take (|x| >= 2^51, infinities, NaN).
static inline vd reduce_half_turns(vd x, vi *quadrant, vi *huge) {
  const vd magic = splat(ROUNDING_MAGIC);
  *huge = ~(magnitude(x) < splat(0x1p51));
  vd xs = select(*huge, splat(0.0), x);
  vd r = xs - 2.0 * ((xs * 0.5 + magic) - magic);
  vd t = 2.0 * r + magic;
  vd n = t - magic;
  *quadrant = (vi)t - (vi)magic;
  return 3.14159265358979311600e+00 * (r - 0.5 * n);
}

/// sin(pi x): the argument reduced exactly (pi x is never rounded), both kernels evaluated, the
/// quadrant picking one and its sign. |x| >= 2^51 (integers and half-integers) gives 0.
static inline vd lanes_sinpi(vd x) {
  vi quadrant, huge;
  vd y = reduce_half_turns(x, &quadrant, &huge);
  vd s = sin_kernel(y), c = cos_kernel(y);
  vd v = select(-(quadrant & 1), c, s);
  vd signed_v = (vd)((vi)v ^ ((quadrant & 2) << 62));
  return select(huge, 0.0 * magnitude(x), signed_v);
}

/// cos(pi x), reduced like sin; |x| >= 2^51 gives 1 (NaN for infinities and NaN).
static inline vd lanes_cospi(vd x) {
  vi quadrant, huge;
  vd y = reduce_half_turns(x, &quadrant, &huge);
  vd s = sin_kernel(y), c = cos_kernel(y);
  vd v = select(-(quadrant & 1), s, c);
  vd signed_v = (vd)((vi)v ^ (((quadrant + 1) & 2) << 62));
  return select(huge, 0.0 * x + 1.0, signed_v);
}

/// The activation with the original release's id: the one implementation of every activation.
static inline __attribute__((always_inline)) vd activate(int32_t id, vd x) {
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

/// One step of the network in this width's lanes (see wann_lanes_forward in lanes.h).
static void forward(const wann_program *program, double *values, double *previous, const double *laneWeights,
                    const double *connectionWeights) {
  const int32_t *sourceStart = program->sourceStart, *sources = program->sources;
  const int32_t count = program->evaluatedCount, first = program->firstEvaluated;
  const int32_t recurrent = program->recurrentCount;
  int32_t e = sourceStart[0], d = 0;
  if (connectionWeights) {
    const double *recurrentWeights = connectionWeights + (long)program->feedForwardConnectionCount * WANN_LANES;
    for (int32_t k = 0; k < count; k++) {
      vd sum = splat(0.0);
      for (int32_t end = sourceStart[k + 1]; e < end; e++)
        sum += load(connectionWeights + (long)e * WANN_LANES) * load(values + (long)sources[e] * WANN_LANES);
      if (recurrent > 0)
        for (int32_t end = program->recurrentStart[k + 1]; d < end; d++)
          sum += load(recurrentWeights + (long)d * WANN_LANES) * load(previous + (long)d * WANN_LANES);
      store(values + (long)(first + k) * WANN_LANES, activate(program->activations[k], sum));
    }
  } else {
    const vd weight = load(laneWeights);
    for (int32_t k = 0; k < count; k++) {
      vd sum = splat(0.0);
      for (int32_t end = sourceStart[k + 1]; e < end; e++) sum += load(values + (long)sources[e] * WANN_LANES);
      if (recurrent > 0)
        for (int32_t end = program->recurrentStart[k + 1]; d < end; d++) sum += load(previous + (long)d * WANN_LANES);
      store(values + (long)(first + k) * WANN_LANES, activate(program->activations[k], weight * sum));
    }
  }
  for (int32_t r = 0; r < recurrent; r++)
    store(previous + (long)r * WANN_LANES, load(values + (long)program->recurrentSources[r] * WANN_LANES));
}

#undef vd
#undef vi
#undef load
#undef store
#undef splat
#undef splati
#undef select
#undef magnitude
#undef lanes_exp
#undef lanes_gaussian
#undef lanes_tanh
#undef sin_kernel
#undef cos_kernel
#undef reduce_half_turns
#undef lanes_sinpi
#undef lanes_cospi
#undef activate
#undef forward
#undef LANE_CAT
#undef LANE_CAT_
