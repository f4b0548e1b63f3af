import Foundation

/// Activation kernels that are faster than the C library's and accurate to a few units in the
/// last place, because the network's activations, not the physics, dominate evaluation time
/// (profiled: glibc `tanh` alone took 37% of re-scoring the swing-up champion).
///
/// The environment keeps glibc's `sin`/`cos` (it must match the original bit for bit); these
/// kernels are used only inside networks, where the original release itself used NumPy's
/// implementations rather than glibc's. Accuracy is tested against Foundation over wide grids.
public enum FastMath {
  /// tanh with absolute error below 3e-16 everywhere and relative error below 4e-15.
  /// |x| < 1/16: odd Taylor polynomial to x^13 (truncation < 1e-19 relative);
  /// otherwise 1 - 2 / (exp(2|x|) + 1), which never cancels badly there.
  @inline(__always)
  public static func tanh(_ x: Double) -> Double {
    let a = Swift.abs(x)
    if a < 0.0625 {
      let x2 = x * x
      // tanh x = x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925 + 21844x^13/6081075
      var p = 21844.0 / 6_081_075.0
      p = p * x2 - 1382.0 / 155_925.0
      p = p * x2 + 62.0 / 2835.0
      p = p * x2 - 17.0 / 315.0
      p = p * x2 + 2.0 / 15.0
      p = p * x2 - 1.0 / 3.0
      return x + x * x2 * p
    }
    if a > 22 { return x > 0 ? 1 : -1 }  // 1 - tanh(22) < 1e-19
    let t = 1 - 2 / (Foundation.exp(2 * a) + 1)
    return x < 0 ? -t : t  // NaN propagates through exp
  }

  /// exp(-x²/2), returning 0 directly where the result underflows (x² > 1500) instead of
  /// taking the C library's slow underflow path.
  @inline(__always)
  public static func gaussian(_ x: Double) -> Double {
    let x2 = x * x
    return x2 > 1500 ? 0 : Foundation.exp(-x2 / 2)
  }

  /// sin(πx). The argument is reduced exactly (no rounding of π·x first, so it is more
  /// accurate than `sin(.pi * x)` for large |x|) to f in [-1/4, 1/4] and a quadrant, then one
  /// short polynomial is evaluated.
  @inline(__always)
  public static func sinPi(_ x: Double) -> Double {
    guard Swift.abs(x) < 0x1p51 else { return x.isFinite ? 0 : .nan }
    let r = x - 2 * roundToInteger(x * 0.5)  // exact; r in [-1, 1]
    let n = roundToInteger(2 * r)  // quadrant, -2...2
    let y = Double.pi * (r - 0.5 * n)  // r - n/2 is exact; |y| <= π/4
    switch Int(n) & 3 {
    case 0: return sinKernel(y)
    case 1: return cosKernel(y)
    case 2: return -sinKernel(y)
    default: return -cosKernel(y)
    }
  }

  /// cos(πx), reduced exactly like `sinPi`.
  @inline(__always)
  public static func cosPi(_ x: Double) -> Double {
    guard Swift.abs(x) < 0x1p51 else { return x.isFinite ? 1 : .nan }
    let r = x - 2 * roundToInteger(x * 0.5)
    let n = roundToInteger(2 * r)
    let y = Double.pi * (r - 0.5 * n)
    switch Int(n) & 3 {
    case 0: return cosKernel(y)
    case 1: return -sinKernel(y)
    case 2: return -cosKernel(y)
    default: return sinKernel(y)
    }
  }

  /// Nearest integer (ties to even) for |x| < 2^51, without a library call: adding and
  /// subtracting 1.5·2^52 rounds in the FPU (baseline x86-64 has no rounding instruction, and
  /// `rounded()` becomes a call to libm's `round`).
  @inline(__always)
  static func roundToInteger(_ x: Double) -> Double {
    let magic = 6_755_399_441_055_744.0  // 1.5 * 2^52
    return (x + magic) - magic
  }

  /// sin(y) for |y| <= π/4: the degree-13 minimax polynomial of fdlibm's __kernel_sin
  /// (error below 2^-58 on that interval).
  @inline(__always)
  static func sinKernel(_ y: Double) -> Double {
    let z = y * y
    let p = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06
      + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)))
    return y + y * z * (-1.66666666666666324348e-01 + z * p)
  }

  /// cos(y) for |y| <= π/4: fdlibm's __kernel_cos polynomial (degree 14).
  @inline(__always)
  static func cosKernel(_ y: Double) -> Double {
    let z = y * y
    let p = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05
      + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))))
    let half = 0.5 * z
    let w = 1 - half
    return w + (((1 - w) - half) + z * p)
  }
}
