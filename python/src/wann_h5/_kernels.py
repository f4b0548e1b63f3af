"""The engine's activation kernels (Sources/CLanes/lane_kernels.h) in scalar Python, operation for
operation: e^x (fdlibm's method), tanh (Cody-Waite/Cephes below 0.625), sin(pi x) and cos(pi x)
with exact argument reduction and fdlibm's kernels. Python floats are IEEE doubles and never fuse
a multiply and an add, so these return the engine's bits exactly, which is what lets a NumPy
network reproduce the engine's outputs step for step, even through recurrent state.
"""
from __future__ import annotations

import struct

_MAGIC = 6755399441055744.0  # 1.5 * 2^52: adding and subtracting it rounds to an integer
_MASK64 = 0xFFFFFFFFFFFFFFFF
_SIGN = 0x8000000000000000


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _float(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits & _MASK64))[0]


_MAGIC_BITS = _bits(_MAGIC)


def exp(x: float) -> float:
    """e^x within 1 ulp of glibc; the engine's lanes_exp."""
    xc = 710.0 if x > 710.0 else x
    xc = -746.0 if xc < -746.0 else xc
    t = xc * 1.44269504088896338700e+00 + _MAGIC
    k = t - _MAGIC
    hi = xc - k * 6.93147180369123816490e-01
    lo = k * 1.90821492927058770002e-10
    r = hi - lo
    z = r * r
    p = 4.13813679705723846039e-08
    p = p * z + -1.65339022054652515390e-06
    p = p * z + 6.61375632143793436117e-05
    p = p * z + -2.77777777770155933842e-03
    p = p * z + 1.66666666666666019037e-01
    c = r - z * p
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    ki = _bits(t) - _MAGIC_BITS
    k1 = ki >> 1
    k2 = ki - k1
    s1 = _float((k1 + 1023) << 52)
    s2 = _float((k2 + 1023) << 52)
    return (y * s1) * s2


def gaussian(x: float) -> float:
    """exp(-x^2/2), 0 where it underflows."""
    x2 = x * x
    return 0.0 if x2 > 1500.0 else exp(-x2 / 2.0)


def tanh(x: float) -> float:
    """tanh within 2 ulp of glibc; the engine's lanes_tanh."""
    sign = _bits(x) & _SIGN
    a = abs(x)
    large = a >= 0.625
    s = exp(a + a)
    z = x * x
    p = -9.64399179425052238628e-01
    p = p * z + -9.92877231001918586564e+01
    p = p * z + -1.61468768441708447952e+03
    q = z + 1.12811678491632931402e+02
    q = q * z + 2.23548839060100448583e+03
    q = q * z + 4.84406305325125486048e+03
    f = (2.0 if large else (x * z) * p) / (s + 1.0 if large else q)
    if large:
        return _float(_bits(1.0 - f) | sign)
    return x + f


def _sin_kernel(y: float) -> float:
    z = y * y
    p = 1.58969099521155010221e-10
    p = p * z + -2.50507602534068634195e-08
    p = p * z + 2.75573137070700676789e-06
    p = p * z + -1.98412698298579493134e-04
    p = p * z + 8.33333333332248946124e-03
    return y + (y * z) * (-1.66666666666666324348e-01 + z * p)


def _cos_kernel(y: float) -> float:
    z = y * y
    p = -1.13596475577881948265e-11
    p = p * z + 2.08757232129817482790e-09
    p = p * z + -2.75573143513906633035e-07
    p = p * z + 2.48015872894767294178e-05
    p = p * z + -1.38888888888741095749e-03
    p = p * z + 4.16666666666666019037e-02
    p = z * p
    half = 0.5 * z
    w = 1.0 - half
    return w + (((1.0 - w) - half) + z * p)


def _reduce(x: float) -> tuple[float, int, bool]:
    """x = 2m + n/2 + f exactly: (pi f, quadrant n, whether |x| is too large to reduce)."""
    huge = not (abs(x) < 2.0 ** 51)
    xs = 0.0 if huge else x
    r = xs - 2.0 * ((xs * 0.5 + _MAGIC) - _MAGIC)
    t = 2.0 * r + _MAGIC
    n = t - _MAGIC
    quadrant = _bits(t) - _MAGIC_BITS
    return 3.14159265358979311600e+00 * (r - 0.5 * n), quadrant, huge


def sinpi(x: float) -> float:
    """sin(pi x) with pi x never rounded; the engine's lanes_sinpi."""
    y, quadrant, huge = _reduce(x)
    if huge:
        return 0.0 * abs(x)
    v = _cos_kernel(y) if quadrant & 1 else _sin_kernel(y)
    return -v if quadrant & 2 else v


def cospi(x: float) -> float:
    """cos(pi x); the engine's lanes_cospi."""
    y, quadrant, huge = _reduce(x)
    if huge:
        return 0.0 * x + 1.0
    v = _sin_kernel(y) if quadrant & 1 else _cos_kernel(y)
    return -v if (quadrant + 1) & 2 else v
