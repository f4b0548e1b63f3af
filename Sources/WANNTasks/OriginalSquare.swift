import CLibm
import CSwingUpLanes
import Foundation
import WANNCore

/// How an environment squares a number. The swing-up is generic over it so that the reference
/// tests can show that the replayed episodes tell the original's square from a plain product.
public protocol SquareRule {
  static func square(_ x: Double) -> Double
}

/// `x**2` exactly as the original release computes it: Python's float power, which is the C
/// library's `pow(x, 2.0)`. glibc's pow is accurate to about 0.52 units in the last place but not
/// correctly rounded, so for about 1 argument in 1,200 it differs from `x * x` by one unit.
///
/// Calling pow for every square costs time, so this asks pow only where its answer can differ
/// from the correctly rounded product: the exact square is p + r, with p = x * x and r the
/// product's rounding error (found exactly by Dekker's two-product, no fused multiply-add needed).
/// Any result within 0.52 ulp of the exact square must be p while |r| < 0.48 ulp(p), because the
/// next float lies more than 0.52 ulp away. glibc's pow (Arm's optimized-routines algorithm since
/// glibc 2.28) documents its error as 0.511 ulp from exp without FMA plus |y log x| * 1.5 * 2^-68
/// * 2^53 from log, 0.54 ulp at worst over all of pow's range; for y = 2 and 2^-64 < x * x < 2^64
/// the log term is below 0.003, so pow is within 0.514 ulp there. Everything else (|r| near half
/// an ulp, squares outside that range, p a power of two where the ulp changes, zeros, NaN) goes to
/// pow itself. `wann bench --workloads exactness` checks the shortcut against pow on 10^8
/// arguments (scripts/test runs it).
public enum PowSquare: SquareRule {
  @inline(__always)
  public static func square(_ x: Double) -> Double {
    let p = x * x
    if _fastPath(productIsSafe(x, p)) { return p }
    return libraryPow(x)
  }

  /// Whether `p` = x * x is certainly what pow(x, 2.0) returns (false means: ask pow).
  @inline(__always)
  public static func productIsSafe(_ x: Double, _ p: Double) -> Bool {
    guard p > 0x1p-64 && p < 0x1p64 && p.significandBitPattern != 0 else { return false }
    // Veltkamp split: x = hi + lo exactly, each half with at most 26 significant bits, so every
    // product below is exact and r is exactly x * x - p (Dekker's two-product).
    let c = 134_217_729.0 * x  // 2^27 + 1
    let hi = c - (c - x)
    let lo = x - hi
    let r = ((hi * hi - p) + 2 * hi * lo) + lo * lo
    // ulp(p) = 2^(exponent - 52), built from p's exponent bits (p is normal and far from the
    // ends of the range here, so this is exact and cheaper than `p.ulp`).
    let ulp = Double(bitPattern: (p.bitPattern & 0x7FF0_0000_0000_0000) &- 0x0340_0000_0000_0000)
    return Swift.abs(r) < 0.48 * ulp
  }

  /// The C library's pow(x, 2.0), always called (the reference the shortcut is checked against).
  /// Kept out of line (and declared free of side effects) so that the rare call costs the
  /// common path no spilled registers.
  @inline(never) @_effects(readnone)
  public static func libraryPow(_ x: Double) -> Double { wann_libm_pow(x, 2) }
}

/// The correctly rounded product `x * x`: what this port used before it was found not to match
/// the original. Kept so the tests can show the reference episodes detect the difference.
public enum ProductSquare: SquareRule {
  @inline(__always)
  public static func square(_ x: Double) -> Double { x * x }
}

/// Checks the environment's exact-math shortcuts against the C library on many arguments spread
/// over the ranges the swing-up sees (cos θ in [-1, 1], angular velocities of tens to hundreds of
/// rad/s, angles) and far beyond (magnitudes 2^-40 to 2^40): `PowSquare` and the lane
/// environment's vector form of it against pow(x, 2.0), and one `sincos` call against `sin` and
/// `cos`.
public struct SquareCheck: Sendable, Equatable {
  public var arguments = 0
  /// Arguments where the square shortcut and pow disagree (must be 0).
  public var mismatches = 0
  /// Arguments where sincos differs from sin or cos (must be 0).
  public var sinCosMismatches = 0
  /// Arguments where pow(x, 2.0) differs from x * x (about 1 in 1,200 expected).
  public var powDiffersFromProduct = 0
  /// Arguments the shortcut handed to pow.
  public var slowPath = 0
  public var firstMismatch: Double?

  public init() {}

  /// The i-th argument of the check (deterministic, thread-independent).
  @inline(__always)
  public static func argument(_ i: Int, seed: UInt64) -> Double {
    var rng = RandomStream(seed: seed, purpose: .benchmark, generation: 2, genome: i & 3, rollout: i >> 2)
    let u = rng.uniform()
    switch i & 3 {
    case 0: return 2 * u - 1
    case 1: return 40 * u - 20
    case 2: return 400 * u - 200
    default:
      let magnitude = Double(sign: .plus, exponent: rng.uniformInt(below: 80) - 40, significand: 1 + rng.uniform())
      return u < 0.5 ? -magnitude : magnitude
    }
  }

  /// Checks arguments `range` of the sequence for `seed`.
  public static func run(_ range: Range<Int>, seed: UInt64) -> SquareCheck {
    var c = SquareCheck()
    for i in range {
      let x = argument(i, seed: seed)
      let pow = PowSquare.libraryPow(x)
      let fast = PowSquare.square(x)
      let lanes = wann_swingup_square(x)  // the lane environment's square (CSwingUpLanes)
      let product = x * x
      c.arguments += 1
      if fast.bitPattern != pow.bitPattern || lanes.bitPattern != pow.bitPattern {
        c.mismatches += 1
        if c.firstMismatch == nil { c.firstMismatch = x }
      }
      if pow.bitPattern != product.bitPattern { c.powDiffersFromProduct += 1 }
      let (sine, cosine) = CartPoleSwingUp.sinCos(x)
      if sine.bitPattern != Foundation.sin(x).bitPattern || cosine.bitPattern != Foundation.cos(x).bitPattern {
        c.sinCosMismatches += 1
      }
      if !PowSquare.productIsSafe(x, product) { c.slowPath += 1 }
    }
    return c
  }

  public mutating func merge(_ o: SquareCheck) {
    arguments += o.arguments
    mismatches += o.mismatches
    sinCosMismatches += o.sinCosMismatches
    powDiffersFromProduct += o.powDiffersFromProduct
    slowPath += o.slowPath
    if firstMismatch == nil { firstMismatch = o.firstMismatch }
  }
}
