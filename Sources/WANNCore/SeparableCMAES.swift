import Foundation

/// Separable CMA-ES (Ros & Hansen 2008): CMA-ES with a diagonal covariance matrix, so one
/// generation costs O(λ·n) and it scales to the hundreds of connections a walker network has.
/// Used to tune a network's individual connection weights for the paper's "tuned weights"
/// condition, where the gradient of an episode's reward is unavailable.
///
/// Ask/tell, minimising. Samples come from streams keyed by (seed, generation, candidate), so a
/// run is the same for any number of threads evaluating the candidates. Learning rates are the
/// defaults of Hansen's tutorial (arXiv:1604.00772) with c1 and cμ scaled by (n + 2) / 3, as the
/// separable variant prescribes.
public struct SeparableCMAES: Sendable {
  public let dimension: Int
  public let populationSize: Int
  public let seed: UInt64
  public private(set) var mean: [Double]
  public private(set) var sigma: Double
  /// Diagonal of the covariance matrix.
  public private(set) var variances: [Double]
  public private(set) var generation = 0

  let parentCount: Int
  let recombinationWeights: [Double]
  let effectiveParents: Double
  let cSigma, dSigma, cC, c1, cMu, expectedNorm: Double
  var pathSigma: [Double]
  var pathC: [Double]

  /// Samples of the current generation, y = D·z (before scaling by σ), one per candidate.
  public private(set) var steps: [[Double]] = []

  public init(mean: [Double], sigma: Double, seed: UInt64, populationSize: Int? = nil) {
    precondition(!mean.isEmpty, "SeparableCMAES needs at least one dimension")
    precondition(sigma > 0 && sigma.isFinite, "sigma must be positive")
    let n = mean.count
    let nd = Double(n)
    dimension = n
    self.seed = seed
    self.mean = mean
    self.sigma = sigma
    variances = [Double](repeating: 1, count: n)
    let lambda = max(populationSize ?? Self.defaultPopulationSize(dimension: n), 2)
    self.populationSize = lambda
    let mu = lambda / 2
    parentCount = mu
    let raw = (1...mu).map { log(Double(mu) + 0.5) - log(Double($0)) }
    let total = raw.reduce(0, +)
    recombinationWeights = raw.map { $0 / total }
    let muEff = 1 / recombinationWeights.reduce(0) { $0 + $1 * $1 }
    effectiveParents = muEff
    cSigma = (muEff + 2) / (nd + muEff + 5)
    dSigma = 1 + 2 * max(0, ((muEff - 1) / (nd + 1)).squareRoot() - 1) + cSigma
    cC = (4 + muEff / nd) / (nd + 4 + 2 * muEff / nd)
    let separable = (nd + 2) / 3
    let c1 = min(1, separable * 2 / ((nd + 1.3) * (nd + 1.3) + muEff))
    self.c1 = c1
    cMu = min(1 - c1, separable * 2 * (muEff - 2 + 1 / muEff) / ((nd + 2) * (nd + 2) + muEff))
    expectedNorm = nd.squareRoot() * (1 - 1 / (4 * nd) + 1 / (21 * nd * nd))
    pathSigma = [Double](repeating: 0, count: n)
    pathC = [Double](repeating: 0, count: n)
  }

  /// CMA-ES's default number of candidates per generation, 4 + floor(3 ln n).
  public static func defaultPopulationSize(dimension n: Int) -> Int {
    4 + Int((3 * log(Double(max(n, 1)))).rounded(.down))
  }

  /// The candidates of the current generation: mean + σ·D·z with z ~ N(0, I).
  public mutating func ask() -> [[Double]] {
    steps = (0..<populationSize).map { k in
      var rng = RandomStream(seed: seed, purpose: .tuning, generation: generation, genome: k, rollout: -1)
      return (0..<dimension).map { i in variances[i].squareRoot() * rng.gaussian() }
    }
    return steps.map { y in (0..<dimension).map { mean[$0] + sigma * y[$0] } }
  }

  /// Updates the distribution from the losses of `ask()`'s candidates (lower is better; ties
  /// go to the lower candidate index, so the update is deterministic).
  public mutating func tell(_ losses: [Double]) {
    precondition(
      losses.count == populationSize && steps.count == populationSize, "tell needs one loss per asked candidate")
    let order = losses.indices.sorted { (losses[$0], $0) < (losses[$1], $1) }
    let n = dimension
    var yw = [Double](repeating: 0, count: n)
    for (rank, k) in order.prefix(parentCount).enumerated() {
      let w = recombinationWeights[rank]
      for i in 0..<n { yw[i] += w * steps[k][i] }
    }
    for i in 0..<n { mean[i] += sigma * yw[i] }
    let sigmaGain = (cSigma * (2 - cSigma) * effectiveParents).squareRoot()
    var norm = 0.0
    for i in 0..<n {
      pathSigma[i] = (1 - cSigma) * pathSigma[i] + sigmaGain * yw[i] / variances[i].squareRoot()
      norm += pathSigma[i] * pathSigma[i]
    }
    norm = norm.squareRoot()
    let t = Double(generation + 1)
    let threshold = (1.4 + 2 / (Double(n) + 1)) * expectedNorm
    let stalled = norm / (1 - pow(1 - cSigma, 2 * t)).squareRoot() >= threshold
    let cGain = (cC * (2 - cC) * effectiveParents).squareRoot()
    for i in 0..<n {
      pathC[i] = (1 - cC) * pathC[i] + (stalled ? 0 : cGain * yw[i])
      var rankMu = 0.0
      for (rank, k) in order.prefix(parentCount).enumerated() {
        rankMu += recombinationWeights[rank] * steps[k][i] * steps[k][i]
      }
      let correction = stalled ? c1 * cC * (2 - cC) * variances[i] : 0
      variances[i] = (1 - c1 - cMu) * variances[i] + c1 * pathC[i] * pathC[i] + correction + cMu * rankMu
    }
    sigma *= exp(min(1, (cSigma / dSigma) * (norm / expectedNorm - 1)))
    generation += 1
  }
}
