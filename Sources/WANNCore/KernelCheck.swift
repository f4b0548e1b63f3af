import Foundation

/// Checks the network's activation kernels (CLanes, eight lanes at a time) against the C library
/// on many arguments over the ranges networks feed them and beyond: exp against glibc's exp,
/// tanh against glibc's tanh, sin(πx) and cos(πx) against a long-double reference built on an
/// exact reduction (x86-64 Linux; elsewhere only exp and tanh are checked). Reports the largest
/// difference from glibc in its units in the last place (whole units: results are doubles), and
/// the largest error of sin(πx) and cos(πx) against the unrounded reference.
public struct KernelCheck: Sendable, Equatable, Codable {
  public var arguments = 0
  public var expWorstUlp = 0.0
  public var tanhWorstUlp = 0.0
  public var sinPiWorstUlp = 0.0
  public var cosPiWorstUlp = 0.0
  /// The bounds the kernels promise (docs/method.md): exp 1 ulp, tanh 2, sin(πx) and cos(πx) 2.
  public static let bounds = (exp: 1.0, tanh: 2.0, sinPi: 2.0, cosPi: 2.0)

  public init() {}

  public var withinBounds: Bool {
    expWorstUlp <= Self.bounds.exp && tanhWorstUlp <= Self.bounds.tanh
      && sinPiWorstUlp <= Self.bounds.sinPi && cosPiWorstUlp <= Self.bounds.cosPi
  }

  /// The i-th argument: moderate (|x| < 4, where most node inputs lie), small (|x| < 2^-3),
  /// large (|x| < 1000) or spread over magnitudes 2^-30 ... 2^9, each sign.
  @inline(__always)
  static func argument(_ i: Int, seed: UInt64) -> Double {
    var rng = RandomStream(seed: seed, purpose: .benchmark, generation: 3, genome: i & 3, rollout: i >> 2)
    let u = rng.uniform()
    switch i & 3 {
    case 0: return 8 * u - 4
    case 1: return (u - 0.5) / 4
    case 2: return 2000 * u - 1000
    default:
      let magnitude = Double(sign: .plus, exponent: rng.uniformInt(below: 40) - 30, significand: 1 + rng.uniform())
      return u < 0.5 ? -magnitude : magnitude
    }
  }

  /// |got - reference| in units of the reference's last place (the subnormal spacing below).
  @inline(__always)
  public static func ulps(_ got: Double, _ reference: Double) -> Double {
    if got == reference || (got.isNaN && reference.isNaN) { return 0 }
    return (got - reference).magnitude / Swift.max(reference.magnitude.ulp, Double.leastNonzeroMagnitude)
  }

  /// Checks arguments `range` (whole lanes of eight) of the sequence for `seed`.
  public static func run(_ range: Range<Int>, seed: UInt64) -> KernelCheck {
    var c = KernelCheck()
    var start = range.lowerBound
    while start < range.upperBound {
      var x = Lanes()
      for l in 0..<Lanes.scalarCount { x[l] = argument(start + l, seed: seed) }
      // exp over its whole range: the argument stretched to [-745, 709].
      let e = x * 180
      let expLanes = LaneMath.exp(e), tanhLanes = LaneMath.tanh(x)
      let sinLanes = LaneMath.sinPi(x), cosLanes = LaneMath.cosPi(x)
      for l in 0..<Lanes.scalarCount where start + l < range.upperBound {
        c.arguments += 1
        if e[l] < 709.7 { c.expWorstUlp = Swift.max(c.expWorstUlp, ulps(expLanes[l], Foundation.exp(e[l]))) }
        c.tanhWorstUlp = Swift.max(c.tanhWorstUlp, ulps(tanhLanes[l], Foundation.tanh(x[l])))
        #if arch(x86_64) && os(Linux)
          let reference = halfTurns(x[l])
          c.sinPiWorstUlp = Swift.max(c.sinPiWorstUlp, ulps(sinLanes[l], reference.sin))
          c.cosPiWorstUlp = Swift.max(c.cosPiWorstUlp, ulps(cosLanes[l], reference.cos))
        #endif
      }
      start += Lanes.scalarCount
    }
    return c
  }

  #if arch(x86_64) && os(Linux)
    /// sin(πx) and cos(πx) to long-double precision: x = n/2 + g exactly (|g| <= 1/4), then
    /// sinl/cosl of π·g, so no rounding of π·x spoils the reference near the zeros.
    public static func halfTurns(_ x: Double) -> (sin: Float80, cos: Float80) {
      let n = (2 * x).rounded()
      let g = x - 0.5 * n
      let pg = Float80.pi * Float80(g)
      let s = sinl(pg), c = cosl(pg)
      switch ((Int(n) % 4) + 4) % 4 {
      case 0: return (s, c)
      case 1: return (c, -s)
      case 2: return (-s, -c)
      default: return (-c, s)
      }
    }

    /// |got - reference| in units of the last place of the reference rounded to double.
    @inline(__always)
    public static func ulps(_ got: Double, _ reference: Float80) -> Double {
      let rounded = Double(reference)
      if got == rounded { return 0 }
      return Double((Float80(got) - reference).magnitude)
        / Swift.max(rounded.magnitude.ulp, Double.leastNonzeroMagnitude)
    }
  #endif

  public mutating func merge(_ o: KernelCheck) {
    arguments += o.arguments
    expWorstUlp = Swift.max(expWorstUlp, o.expWorstUlp)
    tanhWorstUlp = Swift.max(tanhWorstUlp, o.tanhWorstUlp)
    sinPiWorstUlp = Swift.max(sinPiWorstUlp, o.sinPiWorstUlp)
    cosPiWorstUlp = Swift.max(cosPiWorstUlp, o.cosPiWorstUlp)
  }
}
