// glibc's sin and cos, bit for bit, in eight vector lanes (included by swingup_lanes.c only).
//
// Why this is exact although it is not glibc's algorithm: glibc's double sin and cos (the IBM
// Accurate Mathematical Library, sysdeps/ieee754/dbl-64/s_sin.c) are documented to be within
// ~0.55 ulp of the true value (0.548 is the largest figure its comments give for any branch).
// The lanes compute sin and cos to within OWN_ERROR_ULP of the true value (range reduction with a
// 144-bit pi/2, then glibc's own scheme: a table of sin and cos at multiples of 1/64 in
// double-double and short polynomials for the rest). Where that estimate lies within
// 1 - GLIBC_ULP_BOUND - OWN_ERROR_ULP (0.446) ulp of a double d, the true value is within 0.45
// ulp of d and at least 0.55 ulp from every other double, so glibc, being within 0.55 ulp, must
// return d. About 11% of values lie nearer a rounding midpoint than that, or fall outside the
// lanes' domain (|x| > 2^21, |reduced x| < 2^-30, NaN, infinities, exact powers of two): those
// lanes call glibc. `wann bench --workloads exactness` checks the claim on 10^8 arguments by
// default (10^9 and the arguments nearest the threshold in docs/performance.md).
//
// Every operation here is exact or correctly rounded IEEE arithmetic and no multiply is fused
// into an add except in two_prod, where the fused and unfused forms give the same, exact, bits:
// the results do not depend on the vector width or the compiler's FMA choice.

#ifndef WANN_LANE_TRIG_H
#define WANN_LANE_TRIG_H

/// The error bound glibc documents for sin and cos ("~0.55 ULP"), in ulps. Another C library
/// (macOS's) documents no such bound: there the lanes vouch for nothing and every value comes
/// from the library (LANE_TRIG_VOUCHES is 0).
#define GLIBC_ULP_BOUND 0.55
#if defined(__GLIBC__)
#define LANE_TRIG_VOUCHES 1
#else
#define LANE_TRIG_VOUCHES 0
#endif
/// A bound on the lanes' own error, in ulps of the result: the analysis in the comments below
/// gives under 2^-12; this leaves a factor of 16.
#define OWN_ERROR_ULP 0x1p-8
/// Largest |x| the lanes reduce themselves: k = round(x * 2/pi) then has at most 21 bits, so
/// k times each 30-bit part of pi/2 is exact.
#define LANE_TRIG_MAX_ARGUMENT 0x1p21
/// Smallest reduced argument the lanes keep: below it the reduction's absolute error (< 2^-100)
/// would no longer be negligible relative to sin(r) ~ r.
#define LANE_TRIG_MIN_REDUCED 0x1p-30

/// A double-double per lane: hi + lo with |lo| <= ulp(hi) / 2 (after normalisation).
typedef struct { v8d hi, lo; } dd8;

static inline v8d vabs(v8d x) { return (v8d)((v8i)x & splati(0x7FFFFFFFFFFFFFFFLL)); }
static inline v8d negate_where(v8i mask, v8d x) { return (v8d)((v8i)x ^ (mask & splati((long long)0x8000000000000000ULL))); }

/// a + b exactly as hi + lo (Knuth's two-sum: no condition on the magnitudes).
static inline dd8 two_sum(v8d a, v8d b) {
  v8d s = a + b, bb = s - a;
  return (dd8){s, (a - (s - bb)) + (b - bb)};
}

/// a + b exactly as hi + lo, for |a| >= |b| (Dekker's fast two-sum).
static inline dd8 fast_two_sum(v8d a, v8d b) {
  v8d s = a + b;
  return (dd8){s, b - (s - a)};
}

/// a * b exactly as hi + lo: by a fused multiply-add where the CPU has one, by Dekker's product
/// with Veltkamp's split otherwise. Both give the exact error term, so the same bits.
static inline dd8 two_prod(v8d a, v8d b) {
  v8d p = a * b;
#if defined(__FMA__) && __has_builtin(__builtin_elementwise_fma)
  return (dd8){p, __builtin_elementwise_fma(a, b, -p)};
#else
  const v8d split = splat(134217729.0);  // 2^27 + 1
  v8d ca = split * a, cb = split * b;
  v8d ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;
  return (dd8){p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
#endif
}

#include "lane_trig_table.h"

/// The table point nearest |x| <= 2 and what is left of x: x = j/64 + b with |b| <= 1/128
/// (exact, by Sterbenz's lemma), sin(j/64) and cos(j/64) as double-doubles from the table.
typedef struct { v8d b, sinA, sinALo, cosA, cosALo; } table_point;

static inline table_point nearest_table_point(v8d x) {
  const v8d shifter = splat(0x1.8p52);
  v8d t = x * 64.0 + shifter;
  v8i j = (v8i)t & splati(127);
  table_point p;
  p.b = x - (t - shifter) * 0x1p-6;
  for (int l = 0; l < WANN_LANE_COUNT; l++) {
    const double *row = lane_trig_table[j[l]];
    p.sinA[l] = row[0], p.sinALo[l] = row[1], p.cosA[l] = row[2], p.cosALo[l] = row[3];
  }
  return p;
}

/// sin b - b and cos b - 1 for |b| <= 1/128 (b = bh, its low part's terms are the caller's):
/// Taylor series in doubles, the first omitted terms below 2^-75 of b and 2^-75.
static inline void small_angle_tails(v8d bh, v8d *sinTail, v8d *cosTail) {
  v8d z = bh * bh;
  *sinTail = (bh * z) * (splat(-0x1.5555555555555p-3) + z * (splat(0x1.1111111111111p-7) + z * splat(-0x1.a01a01a01a01ap-13)));
  *cosTail = z * (splat(-0.5) + z * (splat(0x1.5555555555555p-5) + z * (splat(-0x1.6c16c16c16c17p-10) + z * splat(0x1.a01a01a01a01ap-16))));
}

/// sin(r) and cos(r) for |r| <= pi/4 (a hair beyond after rounding), as double-doubles, the way
/// glibc's own kernel works: r = a + b with a = j/64 the nearest table point and |b| <= 1/128, then
/// sin(a + b) = sin a + (sin a (cos b - 1) + cos a sin b) and cos(a + b) = cos a + (cos a (cos b - 1)
/// - sin a sin b), with sin a and cos a from a double-double table (scripts/make_trig_table.py).
///
/// Error: b = |r| - a is exact (Sterbenz); sin b - b and cos b - 1 are short Taylor series in
/// doubles (the first omitted terms are below 2^-75 of b and 2^-75), and being at most 2^-16.6 of
/// b and 2^-15 they are computed to about 2^-67 of the result. The products that reach the
/// leading bits (cos a * b, sin a * b) are exact two-products; the rest add rounding errors below
/// 2^-66 relative (2^-12 ulp), since |sin(a + b)| >= |sin a| / 2 wherever a != 0.
static inline void sincos_reduced(dd8 r, dd8 *sine, dd8 *cosine) {
  v8i negative = r.hi < splat(0.0);
  v8d rh = vabs(r.hi), bl = negate_where(negative, r.lo);
  table_point a = nearest_table_point(rh);
  v8d bh = a.b, sa = a.sinA, sal = a.sinALo, ca = a.cosA, cal = a.cosALo;
  // sin b = bh + (bl + ds), cos b = 1 + dc; b^2 = bh^2 + 2 bh bl, and the cross term reaches
  // 2^-61, so cos b - 1 takes it.
  v8d ds, dc;
  small_angle_tails(bh, &ds, &dc);
  dc = dc - bh * bl;
  v8d tail = bl + ds;

  dd8 p = two_prod(ca, bh);
  dd8 s = two_sum(sa, p.hi);
  v8d sLo = s.lo + (p.lo + ((sal + sa * dc) + (ca * tail + cal * bh)));
  dd8 sinR = fast_two_sum(s.hi, sLo);
  *sine = (dd8){negate_where(negative, sinR.hi), negate_where(negative, sinR.lo)};

  dd8 q = two_prod(sa, bh);
  dd8 c = two_sum(ca, -q.hi);
  v8d cLo = c.lo + (-q.lo + ((cal + ca * dc) - (sa * tail + sal * bh)));
  *cosine = fast_two_sum(c.hi, cLo);
}

/// Lanes where v.hi is certainly the double glibc returns for the true value that v estimates:
/// |v.lo| is at most 1 - GLIBC_ULP_BOUND - OWN_ERROR_ULP ulps of v.hi, and v.hi is normal and not
/// a power of two (below a power of two the spacing halves).
static inline v8i glibc_must_round_to_hi(dd8 v) {
  v8i bits = (v8i)v.hi;
  v8i exponent = bits & splati(0x7FF0000000000000LL);
  v8d ulp = (v8d)(exponent - splati(52LL << 52));
  v8i normal = (exponent > splati(60LL << 52)) & (exponent < splati(0x7FF0000000000000LL));
  v8i notPowerOfTwo = (bits & splati(0x000FFFFFFFFFFFFFLL)) != splati(0);
  return normal & notPowerOfTwo & (vabs(v.lo) <= (1.0 - GLIBC_ULP_BOUND - OWN_ERROR_ULP) * ulp);
}

/// Largest |x| for which lane_cos_near_zero keeps a value: cos x >= 0.36 there, so the absolute
/// errors below stay under 2^-12 ulp of the result (nearer pi/2 the cosine cancels).
#define LANE_COS_NEAR_ZERO_MAX 1.2

/// cos(x) for |x| <= LANE_COS_NEAR_ZERO_MAX without a reduction (the swing-up's reward takes
/// the cosine of x / 2.4 * pi / 2, within pi/2 of 0): the table scheme of sincos_reduced on |x|
/// itself, a third of lane_sincos's work. `exact` says where the lanes vouch for glibc's bits.
static inline __attribute__((always_inline)) v8d lane_cos_near_zero(v8d x, v8i *exact) {
  v8d ax = vabs(x);
  table_point a = nearest_table_point(ax);
  v8d bh = a.b, sa = a.sinA, sal = a.sinALo, ca = a.cosA, cal = a.cosALo;
  v8d ds, dc;
  small_angle_tails(bh, &ds, &dc);
  dd8 q = two_prod(sa, bh);
  dd8 c = two_sum(ca, -q.hi);
  dd8 cosine = fast_two_sum(c.hi, c.lo + (-q.lo + ((cal + ca * dc) - (sa * ds + sal * bh))));
  *exact = (ax <= splat(LANE_COS_NEAR_ZERO_MAX)) & glibc_must_round_to_hi(cosine) & splati(LANE_TRIG_VOUCHES ? -1 : 0);
  return cosine.hi;
}

/// Lanes where |v.lo| is at least 0.40 ulp of v.hi: among the values the lanes keep, the nearest
/// to a rounding midpoint (for the exactness check's count of the hardest cases it passed).
static inline v8i near_threshold(dd8 v) {
  v8d ulp = (v8d)(((v8i)v.hi & splati(0x7FF0000000000000LL)) - splati(52LL << 52));
  return vabs(v.lo) >= 0.40 * ulp;
}

/// sin(x) and cos(x) per lane where the lanes can vouch for glibc's bits; sinExact and cosExact
/// say where (elsewhere the value is only close and the caller asks glibc). Where `hardest` is
/// not null it gets bit 0 (sin) and bit 1 (cos) set where a kept value is near_threshold.
///
/// Reduction: k = round(x * 2/pi), r = x - k pi/2 with pi/2 = P1 + P2 + P3 + P4 (three 30-bit
/// parts, so each k * Pi is exact for |k| < 2^22, and a double): the three subtractions are
/// two-sums and their errors are summed with k * P4; the absolute error is below 2^-100 for
/// |x| <= 2^21, so below 2^-70 of |r| for |r| >= 2^-30.
static inline __attribute__((always_inline)) void lane_sincos(v8d x, v8d *sinX, v8d *cosX, v8i *sinExact, v8i *cosExact, v8i *hardest) {
  const v8d shifter = splat(0x1.8p52);
  v8d t = x * splat(0x1.45f306dc9c883p-1) + shifter;
  v8d k = t - shifter;
  v8i quadrant = (v8i)t & splati(3);
  dd8 a = two_sum(x, -(k * splat(0x1.921fb54000000p+0)));
  dd8 b = two_sum(a.hi, -(k * splat(0x1.10b4611800000p-30)));
  dd8 c = two_sum(b.hi, -(k * splat(0x1.313198a000000p-61)));
  dd8 r = two_sum(c.hi, ((a.lo + b.lo) + c.lo) - k * splat(0x1.701b839a25205p-92));
  v8i domain = (vabs(x) <= splat(LANE_TRIG_MAX_ARGUMENT)) & (vabs(r.hi) >= splat(LANE_TRIG_MIN_REDUCED)) &
               splati(LANE_TRIG_VOUCHES ? -1 : 0);

  dd8 sr, cr;
  sincos_reduced(r, &sr, &cr);
  v8i sinOk = glibc_must_round_to_hi(sr), cosOk = glibc_must_round_to_hi(cr);
  // sin x = sin r, cos r, -sin r, -cos r and cos x = cos r, -sin r, -cos r, sin r by quadrant.
  v8i odd = (quadrant & splati(1)) != splati(0);
  v8i sinNegative = (quadrant & splati(2)) != splati(0);
  v8i cosNegative = ((quadrant + splati(1)) & splati(2)) != splati(0);
  *sinX = negate_where(sinNegative, select(odd, cr.hi, sr.hi));
  *cosX = negate_where(cosNegative, select(odd, sr.hi, cr.hi));
  *sinExact = domain & ((odd & cosOk) | (~odd & sinOk));
  *cosExact = domain & ((odd & sinOk) | (~odd & cosOk));
  if (hardest) {
    v8i sinHard = near_threshold(sr), cosHard = near_threshold(cr);
    v8i sinXHard = (odd & cosHard) | (~odd & sinHard), cosXHard = (odd & sinHard) | (~odd & cosHard);
    *hardest = ((*sinExact & sinXHard) & splati(1)) | ((*cosExact & cosXHard) & splati(2));
  }
}

#endif
