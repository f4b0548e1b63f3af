#ifndef WANN_CLIBM_H
#define WANN_CLIBM_H

/// The C library's pow, behind a call the Swift optimizer cannot see through.
///
/// Why: LLVM rewrites a visible `pow(x, 2.0)` into `x * x`, which is correctly rounded, while
/// glibc's pow is not (it differs from x * x for about 1 argument in 1,200). The original WANN
/// release computes `x**2` with that pow, so the exact swing-up port must call the real thing.
double wann_libm_pow(double x, double y);

/// The C library's sincos: sin and cos of one argument in one call, about 7 ns faster per
/// step than two calls. glibc computes both with the same code as sin and cos, so the results
/// are the same bits (`wann bench --workloads exactness` checks it on 10^8 arguments).
void wann_libm_sincos(double x, double *sine, double *cosine);

#endif
