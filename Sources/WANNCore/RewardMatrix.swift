/// Every rollout reward of a batch of genomes: genome x repetition x weight value, row-major.
/// The search keeps the whole matrix, not only the derived means, so nothing is lost for
/// analysis.
public struct RewardMatrix: Sendable, Equatable, Codable {
  public let genomes: Int
  public let repetitions: Int
  public let weights: Int
  public var values: [Double]

  public init(genomes: Int, repetitions: Int, weights: Int) {
    self.genomes = genomes
    self.repetitions = repetitions
    self.weights = weights
    values = [Double](repeating: 0, count: genomes * repetitions * weights)
  }

  @inlinable
  public func offset(genome g: Int, repetition r: Int, weight w: Int) -> Int {
    (g * repetitions + r) * weights + w
  }

  public subscript(genome g: Int, repetition r: Int, weight w: Int) -> Double {
    get { values[offset(genome: g, repetition: r, weight: w)] }
    set { values[offset(genome: g, repetition: r, weight: w)] = newValue }
  }

  /// Mean over repetitions for each weight value.
  public func perWeightMean(genome g: Int) -> [Double] {
    (0..<weights).map { w in
      var s = 0.0
      for r in 0..<repetitions { s += self[genome: g, repetition: r, weight: w] }
      return s / Double(repetitions)
    }
  }

  /// The search objectives of genome `g`: the mean over all rollouts, and the best per-weight
  /// mean (the original's `fitness` and `fitMax`).
  public func objectives(genome g: Int) -> (mean: Double, max: Double) {
    let perWeight = perWeightMean(genome: g)
    let mean = perWeight.reduce(0, +) / Double(weights)
    return (mean, perWeight.max() ?? mean)
  }
}

/// Simple summary statistics used in reports.
public enum Statistics {
  public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

  /// Sample standard deviation (n - 1); 0 for fewer than two values.
  public static func standardDeviation(_ x: [Double]) -> Double {
    guard x.count > 1 else { return 0 }
    let m = mean(x)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
  }

  public static func median(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    let s = x.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }
}
