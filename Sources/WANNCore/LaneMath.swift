import CLanes

/// Eight rollouts (or samples) evaluated at once: every network value is a vector of one value
/// per lane (one AVX-512 register, two AVX2 or four SSE2 ones). The lanes never mix, so a lane's
/// result is the same bits whichever lanes run beside it. The count is CLanes' WANN_LANE_COUNT
/// (16 lanes were measured slower on this project's machine: more idle lanes, no gain in speed).
public typealias Lanes = SIMD8<Double>
/// Lane-wise integers (masks are all-ones or zero per lane).
public typealias LaneBits = SIMD8<Int64>
public typealias LaneMask = SIMDMask<LaneBits>

/// Lane helpers for the environments' vector code, and the activation kernels (in the CLanes C
/// target: clang keeps its 8-lane vectors whole, where Swift split the same SIMD8 code into
/// 2-lane pieces and ran 2-4 times slower).
///
/// The kernels are branch-free IEEE arithmetic (add, multiply, divide, bit operations; no fused
/// multiply-add), so their bits are the same on every machine and vector width. Accuracy against
/// the C library (glibc), checked by `wann bench --workloads exactness` on 10^7 arguments per
/// kernel and by the unit tests: exp within 1 ulp, tanh within 2 ulp, and sin(πx) and cos(πx)
/// within 2 ulp of the true values (a long-double reference; see docs/method.md).
public enum LaneMath {
  /// `whereTrue` in the lanes of `mask`, `otherwise` in the others, as one bitwise blend
  /// (`replacing(with:where:)` compiles to a loop over the lanes).
  @inlinable @inline(__always) public static func select(_ mask: LaneMask, _ whereTrue: Lanes, _ otherwise: Lanes)
    -> Lanes
  {
    let m = mask._storage
    let a = unsafeBitCast(whereTrue, to: LaneBits.self), b = unsafeBitCast(otherwise, to: LaneBits.self)
    return unsafeBitCast((a & m) | (b & ~m), to: Lanes.self)
  }

  /// Whether any lane of `mask` is set.
  @inlinable @inline(__always) public static func any(_ mask: LaneMask) -> Bool { mask._storage != LaneBits() }

  /// A kernel of CLanes on the lanes.
  @inline(__always)
  static func apply(_ kernel: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void, _ x: Lanes) -> Lanes {
    var input = x, output = Lanes()
    withUnsafePointer(to: &input) { i in
      withUnsafeMutablePointer(to: &output) { o in
        i.withMemoryRebound(to: Double.self, capacity: Lanes.scalarCount) { ip in
          o.withMemoryRebound(to: Double.self, capacity: Lanes.scalarCount) { op in kernel(ip, op) }
        }
      }
    }
    return output
  }

  /// e^x (within 1 ulp of glibc; fdlibm's method).
  public static func exp(_ x: Lanes) -> Lanes { apply(wann_lanes_exp, x) }
  /// tanh (within 2 ulp of glibc).
  public static func tanh(_ x: Lanes) -> Lanes { apply(wann_lanes_tanh, x) }
  /// sin(πx), reduced exactly; |x| >= 2^51 gives 0.
  public static func sinPi(_ x: Lanes) -> Lanes { apply(wann_lanes_sinpi, x) }
  /// cos(πx), reduced exactly; |x| >= 2^51 gives 1.
  public static func cosPi(_ x: Lanes) -> Lanes { apply(wann_lanes_cospi, x) }
}

extension Activation {
  /// The activation on eight lanes at once (the one implementation of every activation, in
  /// CLanes, shared with the network's forward step).
  public func callAsFunction(_ x: Lanes) -> Lanes {
    let id = rawValue
    return LaneMath.apply({ wann_lanes_activate(id, $0, $1) }, x)
  }
}
