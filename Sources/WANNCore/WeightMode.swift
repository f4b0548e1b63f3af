/// How a rollout's connection weights are set (the FAQ's ablations use all four).
/// Every mode has a fixed number of weight *conditions* per repetition, the last axis of a
/// reward matrix; random modes draw fresh weights for every rollout from a stream keyed by
/// (seed, generation, repetition, condition), so results stay deterministic per seed and every
/// genome of a generation sees the same draws.
public enum WeightMode: Codable, Sendable, Equatable {
  /// The paper: every connection takes the same value, one condition per value.
  case sharedSeries([Double])
  /// One fixed shared value (the FAQ's "single weight, e.g. 0.7").
  case singleFixed(Double)
  /// Each connection its own weight, uniform in `low...high`, drawn anew for every rollout;
  /// `draws` conditions per repetition.
  case perConnectionRandom(low: Double, high: Double, draws: Int)
  /// The shared value of each condition plus independent N(0, sigma) per connection per rollout.
  case gaussianNoise([Double], sigma: Double)

  /// Number of weight conditions per repetition.
  public var conditionCount: Int {
    switch self {
    case .sharedSeries(let v): v.count
    case .singleFixed: 1
    case .perConnectionRandom(_, _, let draws): draws
    case .gaussianNoise(let v, _): v.count
    }
  }

  /// The nominal shared value of each condition (NaN where there is none: per-connection draws).
  public var nominalValues: [Double] {
    switch self {
    case .sharedSeries(let v): v
    case .singleFixed(let w): [w]
    case .perConnectionRandom(_, _, let draws): [Double](repeating: .nan, count: draws)
    case .gaussianNoise(let v, _): v
    }
  }

  /// The shared weight of condition `c`, or nil when connections get individual weights.
  public func sharedWeight(condition c: Int) -> Double? {
    switch self {
    case .sharedSeries(let v): v[c]
    case .singleFixed(let w): w
    case .perConnectionRandom, .gaussianNoise: nil
    }
  }

  /// The weight of the next connection, for modes with individual weights.
  @inline(__always)
  public func drawConnectionWeight(condition c: Int, using rng: inout RandomStream) -> Double {
    switch self {
    case .perConnectionRandom(let low, let high, _): low + (high - low) * rng.uniform()
    case .gaussianNoise(let v, let sigma): v[c] + sigma * rng.gaussian()
    case .sharedSeries(let v): v[c]
    case .singleFixed(let w): w
    }
  }

  /// The stream that draws the connection weights of one rollout.
  public static func stream(seed: UInt64, generation: Int, repetition: Int, condition: Int) -> RandomStream {
    RandomStream(seed: seed, purpose: .weights, generation: generation, genome: condition, rollout: repetition)
  }
}
