import WANNCore
import WANNTasks

/// The paper's Table 1 for one network: how it performs when its weights are
/// 1. *random weights*: every connection its own weight, drawn from U(low, high) per episode;
/// 2. *random shared weight*: one shared weight drawn from U(low, high) per episode;
/// 3. *tuned shared weight*: the best shared value of a grid over [low, high];
/// 4. *tuned weights*: individual weights found by an optimiser (separable CMA-ES), starting
///    from the tuned shared weight on every connection.
///
/// Tuning never sees the test episodes: the shared grid and the optimiser's candidates are
/// scored on tuning episodes (stream purpose `.tuning`), and all four conditions are then
/// reported on the same `trials` test episodes (purpose `.evaluation`, common random numbers),
/// so the tuned conditions are not flattered by selection on their own noise.
public struct WeightConditions: Sendable {
  public struct Settings: Sendable, Equatable {
    public var trials: Int
    public var seed: UInt64
    public var low: Double
    public var high: Double
    /// Candidate values for the tuned shared weight.
    public var sharedGrid: [Double]
    /// Rollouts the optimiser may spend (candidates x episodes per candidate x generations).
    public var budget: Int
    /// Episodes each candidate weight vector is scored on (the same episodes for all
    /// candidates of one optimiser generation).
    public var episodesPerCandidate: Int
    /// The optimiser's initial step size, in weight units.
    public var initialSigma: Double
    /// Candidates per optimiser generation; nil: CMA-ES's default 4 + floor(3 ln n).
    public var populationSize: Int?

    public init(
      trials: Int = 100, seed: UInt64 = 1, low: Double = -2, high: Double = 2,
      sharedGrid: [Double] = (0...80).map { -2 + 4 * Double($0) / 80 }, budget: Int = 20_000,
      episodesPerCandidate: Int = 4, initialSigma: Double = 0.25, populationSize: Int? = nil
    ) {
      self.trials = trials
      self.seed = seed
      self.low = low
      self.high = high
      self.sharedGrid = sharedGrid
      self.budget = budget
      self.episodesPerCandidate = episodesPerCandidate
      self.initialSigma = initialSigma
      self.populationSize = populationSize
    }
  }

  /// One condition's rewards on the test episodes.
  public struct Condition: Sendable, Equatable {
    /// Stable key (also the archive's dataset name) and the paper's wording.
    public let key: String
    public let title: String
    public let rewards: [Double]
    public var mean: Double { Statistics.mean(rewards) }
    public var std: Double { Statistics.standardDeviation(rewards) }
    public var ciHalfWidth: Double { Statistics.confidenceInterval95(rewards).halfWidth }
  }

  /// One generation of the optimiser.
  public struct TuningStep: Sendable, Equatable {
    public let rollouts: Int
    /// Mean and best candidate reward (each a mean over the candidate's episodes).
    public let meanReward: Double
    public let bestReward: Double
    public let sigma: Double
  }

  public let settings: Settings
  public let conditions: [Condition]
  public let tunedSharedWeight: Double
  /// Mean reward of each grid value on the tuning episodes.
  public let sharedGridMeans: [Double]
  /// The tuned individual weights (absolute values), in `connectionInnovations` order.
  public let tunedWeights: [Double]
  public let connectionInnovations: [Innovation]
  public let tuning: [TuningStep]
  /// Environment steps spent in all.
  public let steps: Int

  public enum SettingsError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
      switch self {
      case .invalid(let s): s
      }
    }
  }

  /// Measures all four conditions. Throws when the settings cannot work (e.g. a budget too
  /// small for one optimiser generation).
  public static func measure(
    _ network: Network, task: any WANNTask, settings: Settings,
    evaluator: ParallelEvaluator
  ) throws(SettingsError) -> WeightConditions {
    let s = settings
    guard s.trials >= 2 else { throw .invalid("trials must be at least 2 (a 95% interval needs two episodes)") }
    guard s.low < s.high, s.low.isFinite, s.high.isFinite else {
      throw .invalid("the weight range [\(s.low), \(s.high)] is empty")
    }
    guard !s.sharedGrid.isEmpty else { throw .invalid("the shared-weight grid is empty") }
    guard s.episodesPerCandidate >= 1 else { throw .invalid("episodes per candidate must be at least 1") }
    guard s.initialSigma > 0, s.initialSigma.isFinite else { throw .invalid("the initial step size must be positive") }
    let n = network.connectionInnovations.count
    // Checked before any rollout, so a bad budget fails at once.
    let perGeneration =
      max(s.populationSize ?? SeparableCMAES.defaultPopulationSize(dimension: n), 2) * s.episodesPerCandidate
    if n > 0 && s.budget < perGeneration {
      throw .invalid(
        "a tuning budget of \(s.budget) rollouts is less than one optimiser generation (\(perGeneration / s.episodesPerCandidate) candidates x \(s.episodesPerCandidate) episodes = \(perGeneration)): raise --budget"
      )
    }
    let test = EpisodeKey(seed: s.seed, purpose: .evaluation)
    var steps = 0
    func play(_ plans: [RolloutPlan], _ episodes: EpisodeKey) -> [Double] {
      let r = evaluator.evaluate(task: task, network: network, rollouts: plans, episodes: episodes)
      steps += r.steps
      return r.rewards
    }

    // 1. Random individual weights, fresh per test episode.
    let randomIndividual = (0..<s.trials).map { t -> RolloutPlan in
      var rng = RandomStream(seed: s.seed, purpose: .conditions, generation: 1, rollout: t)
      return RolloutPlan(
        weights: .individual((0..<n).map { _ in s.low + (s.high - s.low) * rng.uniform() }), episode: t)
    }
    // 2. A random shared weight per test episode.
    let randomShared = (0..<s.trials).map { t -> RolloutPlan in
      var rng = RandomStream(seed: s.seed, purpose: .conditions, generation: 2, rollout: t)
      return RolloutPlan(weights: .shared(s.low + (s.high - s.low) * rng.uniform()), episode: t)
    }
    // 3. The shared grid, on tuning episodes (generation 0 of the tuning key).
    let gridEpisodes = EpisodeKey(seed: s.seed, purpose: .tuning, generation: 0)
    let gridPlans = s.sharedGrid.flatMap { w in (0..<s.trials).map { RolloutPlan(weights: .shared(w), episode: $0) } }
    let gridRewards = play(gridPlans, gridEpisodes)
    let gridMeans = s.sharedGrid.indices.map {
      Statistics.mean(Array(gridRewards[$0 * s.trials..<($0 + 1) * s.trials]))
    }
    let best = gridMeans.indices.max { (gridMeans[$0], -$0) < (gridMeans[$1], -$1) }!
    let tunedShared = s.sharedGrid[best]

    // 4. Individual weights tuned by separable CMA-ES from the tuned shared weight.
    var tuned = [Double](repeating: tunedShared, count: n)
    var history: [TuningStep] = []
    if n > 0 {
      var es = SeparableCMAES(mean: tuned, sigma: s.initialSigma, seed: s.seed, populationSize: s.populationSize)
      var spent = 0
      while spent + perGeneration <= s.budget {
        let candidates = es.ask()
        let plans = candidates.indices.flatMap { k in
          (0..<s.episodesPerCandidate).map { RolloutPlan(weights: .individual(candidates[k]), episode: $0) }
        }
        let rewards = play(plans, EpisodeKey(seed: s.seed, purpose: .tuning, generation: 1 + es.generation))
        let fitness = candidates.indices.map {
          Statistics.mean(Array(rewards[$0 * s.episodesPerCandidate..<($0 + 1) * s.episodesPerCandidate]))
        }
        spent += perGeneration
        history.append(
          TuningStep(rollouts: spent, meanReward: Statistics.mean(fitness), bestReward: fitness.max()!, sigma: es.sigma)
        )
        es.tell(fitness.map { -$0 })
      }
      tuned = es.mean
    }

    let testPlans =
      randomIndividual + randomShared
      + (0..<s.trials).map { RolloutPlan(weights: .shared(tunedShared), episode: $0) }
      + (0..<s.trials).map { RolloutPlan(weights: n > 0 ? .individual(tuned) : .shared(tunedShared), episode: $0) }
    let testRewards = play(testPlans, test)
    let titles = [
      ("random_weights", "Random weights"), ("random_shared_weight", "Random shared weight"),
      ("tuned_shared_weight", "Tuned shared weight"), ("tuned_weights", "Tuned weights"),
    ]
    let conditions = titles.enumerated().map { i, t in
      Condition(key: t.0, title: t.1, rewards: Array(testRewards[i * s.trials..<(i + 1) * s.trials]))
    }
    return WeightConditions(
      settings: s, conditions: conditions, tunedSharedWeight: tunedShared,
      sharedGridMeans: gridMeans, tunedWeights: tuned,
      connectionInnovations: network.connectionInnovations, tuning: history, steps: steps)
  }

  /// Rebuilds a stored result.
  public init(
    settings: Settings, conditions: [Condition], tunedSharedWeight: Double, sharedGridMeans: [Double],
    tunedWeights: [Double], connectionInnovations: [Innovation], tuning: [TuningStep], steps: Int
  ) {
    self.settings = settings
    self.conditions = conditions
    self.tunedSharedWeight = tunedSharedWeight
    self.sharedGridMeans = sharedGridMeans
    self.tunedWeights = tunedWeights
    self.connectionInnovations = connectionInnovations
    self.tuning = tuning
    self.steps = steps
  }
}
