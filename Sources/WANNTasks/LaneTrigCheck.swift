import CLibm
import CSwingUpLanes
import Foundation
import WANNCore

/// Checks the lane environment's sin and cos (CSwingUpLanes, lane_trig.h) against glibc's own
/// `sin` and `cos`, bit for bit, on arguments from the ranges the swing-up meets and the hard
/// places beyond them: three values per argument, its sin and cos as the step computes them for
/// the pole's angle, and its cos as the step computes it for the reward. The lanes keep a value only where glibc's documented error bound forces
/// glibc to return it, so every count of mismatches must be 0; the check also counts how many
/// values the lanes kept, and how many of those lay 0.40 ulp or more from the nearest double
/// (within 0.046 ulp of the threshold past which the lanes hand a value to glibc).
public struct LaneTrigCheck: Sendable, Equatable {
  /// Values compared (three per argument).
  public var values = 0
  /// Values where the lanes' result differs from glibc's (must be 0).
  public var mismatches = 0
  /// Values the lanes computed themselves (the rest came from glibc).
  public var fromLanes = 0
  /// Values the lanes kept although they lay 0.40 ulp or more from the nearest double.
  public var nearThreshold = 0
  public var firstMismatch: Double?

  public init() {}

  /// The i-th argument of the check (deterministic, thread-independent). Eight kinds in turn:
  /// angles of a swinging pole ([-4 pi, 4 pi]), of a spinning one ([-400, 400]), the reward's
  /// argument x / 2.4 * pi / 2 ([-1.1 pi / 2, 1.1 pi / 2]), near multiples of pi / 2 (offsets from
  /// 2^-40 to 1/2, where the reduction cancels most), magnitudes 2^-40 to 2^24 (past the lanes'
  /// domain), reduction boundaries (odd multiples of pi / 4, where the quadrant flips), and two
  /// more of the swinging angles.
  @inline(__always)
  public static func argument(_ i: Int, seed: UInt64) -> Double {
    var rng = RandomStream(seed: seed, purpose: .benchmark, generation: 3, genome: i & 7, rollout: i >> 3)
    let u = rng.uniform()
    let halfPi = Double.pi / 2
    switch i & 7 {
    case 1: return 800 * u - 400
    case 2: return 1.1 * halfPi * (2 * u - 1)
    case 3:
      let k = Double(rng.uniformInt(below: 2001) - 1000)
      let offset = Double(sign: .plus, exponent: -rng.uniformInt(below: 40) - 1, significand: 1 + rng.uniform())
      return k * halfPi + (u < 0.5 ? -offset : offset)
    case 4:
      let magnitude = Double(sign: .plus, exponent: rng.uniformInt(below: 64) - 40, significand: 1 + rng.uniform())
      return u < 0.5 ? -magnitude : magnitude
    case 5:
      let k = Double(2 * rng.uniformInt(below: 2000) - 1999)
      return (k * halfPi / 2) * (1 + 0x1p-40 * (2 * u - 1))
    default: return 8 * Double.pi * (u - 0.5)
    }
  }

  /// Checks arguments `range` of the sequence for `seed`, eight at a time as the lanes take them.
  public static func run(_ range: Range<Int>, seed: UInt64) -> LaneTrigCheck {
    check(range.count) { argument(range.lowerBound + $0, seed: seed) }
  }

  /// Checks the given arguments (eight at a time, the last block padded with its last argument).
  public static func run(arguments: [Double]) -> LaneTrigCheck {
    check(arguments.count) { arguments[$0] }
  }

  /// Checks `count` arguments, the k-th from `argument(k)`, in blocks of eight.
  private static func check(_ count: Int, _ argument: (Int) -> Double) -> LaneTrigCheck {
    var c = LaneTrigCheck()
    var x = [Double](repeating: 0, count: 8), s = x, co = x, reward = x
    var from = [Int64](repeating: 0, count: 8), rewardFrom = from
    var i = 0
    while i < count {
      let n = min(8, count - i)
      for l in 0..<8 { x[l] = argument(i + min(l, n - 1)) }
      wann_swingup_sincos(x, &s, &co, &from)
      wann_swingup_reward_cos(x, &reward, &rewardFrom)
      for l in 0..<n {
        c.count(x[l], sine: s[l], cosine: co[l], flags: from[l], rewardCosine: reward[l], rewardFlag: rewardFrom[l])
      }
      i += n
    }
    return c
  }

  private mutating func count(
    _ x: Double, sine: Double, cosine: Double, flags: Int64, rewardCosine: Double, rewardFlag: Int64
  ) {
    values += 3
    let same = { (a: Double, b: Double) in a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
    let glibcCosine = Foundation.cos(x)
    if !same(sine, Foundation.sin(x)) || !same(cosine, glibcCosine) || !same(rewardCosine, glibcCosine) {
      mismatches += 1
      if firstMismatch == nil { firstMismatch = x }
    }
    fromLanes += (flags & 1 != 0 ? 1 : 0) + (flags & 2 != 0 ? 1 : 0) + (rewardFlag != 0 ? 1 : 0)
    nearThreshold += (flags & 4 != 0 ? 1 : 0) + (flags & 8 != 0 ? 1 : 0)
  }

  public mutating func merge(_ o: LaneTrigCheck) {
    values += o.values
    mismatches += o.mismatches
    fromLanes += o.fromLanes
    nearThreshold += o.nearThreshold
    if firstMismatch == nil { firstMismatch = o.firstMismatch }
  }

  /// Nanoseconds per argument for its sin and cos on one thread over the first `arguments`
  /// arguments: by glibc's sincos, or by the lanes (eight at a time, glibc where they hand a value
  /// on), as the swing-up's step computes them.
  public static func nanosecondsPerSinCos(arguments: Int, seed: UInt64, lanes: Bool) -> Double {
    let angles = (0..<max(arguments / 8 * 8, 8)).map { argument($0, seed: seed) }
    var sine = [Double](repeating: 0, count: 8), cosine = sine, from = [Int64](repeating: 0, count: 8)
    var sink = 0.0
    let clock = ContinuousClock()
    let start = clock.now
    angles.withUnsafeBufferPointer { a in
      var i = 0
      while i < a.count {
        if lanes {
          wann_swingup_sincos(a.baseAddress! + i, &sine, &cosine, &from)
        } else {
          for l in 0..<8 { wann_libm_sincos(a[i + l], &sine[l], &cosine[l]) }
        }
        sink += sine[0] + cosine[7]
        i += 8
      }
    }
    let seconds = (clock.now - start).inSeconds
    if sink == 42 { FileHandle.standardError.write(Data()) }  // keeps the loop from being optimised away
    return seconds * 1e9 / Double(angles.count)
  }
}
