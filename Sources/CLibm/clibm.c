#define _GNU_SOURCE  // sincos is a GNU extension
#include <math.h>
#include "clibm.h"

// The exponent arrives as a parameter, so the compiler cannot fold this call into x * x.
double wann_libm_pow(double x, double y) { return pow(x, y); }

void wann_libm_sincos(double x, double *sine, double *cosine) { sincos(x, sine, cosine); }
