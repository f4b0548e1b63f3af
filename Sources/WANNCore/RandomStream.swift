/// What a random stream is used for. Part of every stream's key, so that two uses of the same
/// (seed, generation, genome, rollout) never share numbers.
public enum StreamPurpose: UInt64, Sendable {
  case initialPopulation = 1
  case ranking = 2
  case selection = 3
  case mutation = 4
  case rollout = 5
  case championRetest = 6
  case evaluation = 7
  case benchmark = 8
  case weights = 9
  /// Weight tuning (`wann conditions`): the optimiser's samples and its episodes.
  case tuning = 10
  /// Draws of `wann conditions`' random-weight conditions.
  case conditions = 11
}

/// A counter-based random stream: its numbers depend only on its key
/// (seed, purpose, generation, genome, rollout), never on which thread or process draws them
/// or on what was drawn before elsewhere. That is what makes a search bit-for-bit identical for
/// any thread count and lets a run resume exactly.
///
/// The key is hashed with SplitMix64's finaliser into a starting point; numbers are then the
/// SplitMix64 sequence from there (Steele, Lea & Flood 2014). The integer and floating-point
/// helpers are written here rather than taken from the standard library, whose algorithms may
/// change between toolchains.
public struct RandomStream: RandomNumberGenerator, Sendable {
  @usableFromInline var state: UInt64

  public init(seed: UInt64, purpose: StreamPurpose, generation: Int = 0, genome: Int = 0, rollout: Int = 0) {
    var h = RandomStream.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
    h = RandomStream.mix(h ^ (purpose.rawValue &* 0xD1B5_4A32_D192_ED03))
    h = RandomStream.mix(h ^ UInt64(bitPattern: Int64(generation)) &* 0xA24B_AED4_963E_E407)
    h = RandomStream.mix(h ^ UInt64(bitPattern: Int64(genome)) &* 0x9FB2_1C65_1E98_DF25)
    h = RandomStream.mix(h ^ UInt64(bitPattern: Int64(rollout)) &* 0xC2B2_AE3D_27D4_EB4F)
    state = h
  }

  /// The stream's current position (its starting point right after `init`): stored in archives
  /// to identify the episodes a generation was scored on.
  public var position: UInt64 { state }

  @inlinable
  static func mix(_ z0: UInt64) -> UInt64 {
    var z = z0
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inlinable
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return RandomStream.mix(state)
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inlinable
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform integer in 0..<bound (Lemire's nearly divisionless method, unbiased).
  @inlinable
  public mutating func uniformInt(below bound: Int) -> Int {
    precondition(bound > 0, "uniformInt(below:) needs a positive bound")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// Standard normal draw (Box–Muller, one value per call; simple and deterministic).
  public mutating func gaussian() -> Double {
    var u1 = uniform()
    while u1 == 0 { u1 = uniform() }
    let u2 = uniform()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }

  /// Fisher–Yates shuffle with this stream.
  public mutating func shuffle<T>(_ a: inout [T]) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      let j = uniformInt(below: i + 1)
      if i != j { a.swapAt(i, j) }
    }
  }
}

#if canImport(Glibc)
  import Glibc
  @usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
  import Darwin
  @usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
