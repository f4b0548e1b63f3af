import WANNCore

/// Evaluates a generation's genomes: every genome, repetition and weight condition, with
/// rollouts drawn from `episodes`. Implementations must give the same rewards as
/// `ParallelEvaluator` bit for bit (a reward depends only on the genome and its episode's keys),
/// so a search is the same whatever evaluates it.
public protocol GenerationEvaluator: Sendable {
  func evaluate(task: any WANNTask, genomes: [Genome], networks: [Network], mode: WeightMode, repetitions: Int,
                episodes: EpisodeKey) -> (rewards: RewardMatrix, steps: Int)
}

extension ParallelEvaluator: GenerationEvaluator {
  public func evaluate(task: any WANNTask, genomes: [Genome], networks: [Network], mode: WeightMode, repetitions: Int,
                       episodes: EpisodeKey) -> (rewards: RewardMatrix, steps: Int) {
    evaluate(task: task, networks: networks, mode: mode, repetitions: repetitions, episodes: episodes)
  }
}

/// Spreads rollouts over threads. Work is split into jobs (one network, one repetition, every
/// weight value) handed out dynamically, since networks differ in cost. Each job writes only its
/// own cells of the reward matrix and draws its randomness from its own keyed stream, so the
/// result is identical for any thread count.
public struct ParallelEvaluator: Sendable {
  public let threads: Int

  public init(threads: Int) {
    precondition(threads >= 1, "threads must be at least 1")
    self.threads = threads
  }

  /// Evaluates every network at every weight, `repetitions` times. Repetition r of every network
  /// and weight draws its episode from `episodes.stream(repetition: r)`, so all networks and
  /// weight values see the same episodes.
  public func evaluate(
    task: any WANNTask, networks: [Network], weights: [Double], repetitions: Int,
    episodes: EpisodeKey
  ) -> (rewards: RewardMatrix, steps: Int) {
    evaluate(task: task, networks: networks, mode: .sharedSeries(weights), repetitions: repetitions, episodes: episodes)
  }

  /// As above, with the rollouts' connection weights set by `mode` (one reward column per
  /// condition). Individual weights are drawn per rollout from
  /// `WeightMode.stream(seed:generation:repetition:condition:)`: the same draws for every network.
  public func evaluate(
    task: any WANNTask, networks: [Network], mode: WeightMode, repetitions: Int,
    episodes: EpisodeKey
  ) -> (rewards: RewardMatrix, steps: Int) {
    let conditions = mode.conditionCount
    // Each job writes its own cells; the lock is taken once per job (a handful of rollouts),
    // never per step.
    let shared = Locked((matrix: RewardMatrix(genomes: networks.count, repetitions: repetitions, weights: conditions), steps: 0))
    WorkerPool.run(jobs: networks.count * repetitions, threads: threads) { jobs in
      var evaluator = NetworkEvaluator()
      var rewards = [Double](repeating: 0, count: conditions)
      while let job = jobs.next() {
        let g = job / repetitions, r = job % repetitions
        evaluator.load(networks[g])
        var steps = 0
        for c in 0..<conditions {
          var rng = episodes.stream(repetition: r)
          let weight: Double
          if let w = mode.sharedWeight(condition: c) {
            evaluator.useSharedWeight()
            weight = w
          } else {
            var draws = WeightMode.stream(seed: episodes.seed, generation: episodes.generation, repetition: r, condition: c)
            evaluator.setConnectionWeights { _ in mode.drawConnectionWeight(condition: c, using: &draws) }
            weight = .nan
          }
          let result = task.rollout(&evaluator, weight: weight, rng: &rng)
          rewards[c] = result.reward
          steps += result.steps
        }
        shared.withLock { state in
          let base = state.matrix.offset(genome: g, repetition: r, weight: 0)
          for c in 0..<conditions { state.matrix.values[base + c] = rewards[c] }
          state.steps += steps
        }
      }
    }
    return shared.withLock { ($0.matrix, $0.steps) }
  }
}

/// One rollout of a single network: its connection weights and which episode it plays.
public struct RolloutPlan: Sendable, Equatable {
  public enum Weights: Sendable, Equatable {
    /// Every connection at one value.
    case shared(Double)
    /// One value per enabled connection, in `Network.connectionInnovations` order.
    case individual([Double])
  }
  public var weights: Weights
  /// Repetition index of the episode: its stream is `episodes.stream(repetition: episode)`.
  public var episode: Int
  public init(weights: Weights, episode: Int) {
    self.weights = weights
    self.episode = episode
  }
}

extension ParallelEvaluator {
  /// Plays each planned rollout of `network` and returns the rewards in plan order. Used where
  /// every rollout has its own weights (random shared weights, a weight optimiser's candidates);
  /// each rollout is a job, so the result does not depend on the thread count.
  public func evaluate(task: any WANNTask, network: Network, rollouts: [RolloutPlan],
                       episodes: EpisodeKey) -> (rewards: [Double], steps: Int) {
    let shared = Locked((rewards: [Double](repeating: .nan, count: rollouts.count), steps: 0))
    WorkerPool.run(jobs: rollouts.count, threads: threads) { jobs in
      var evaluator = NetworkEvaluator()
      evaluator.load(network)
      while let job = jobs.next() {
        let plan = rollouts[job]
        var rng = episodes.stream(repetition: plan.episode)
        let result: RolloutResult
        switch plan.weights {
        case .shared(let w):
          evaluator.useSharedWeight()
          result = task.rollout(&evaluator, weight: w, rng: &rng)
        case .individual(let ws):
          precondition(ws.count == evaluator.connectionCount, "one weight per enabled connection")
          evaluator.setConnectionWeights { ws[$0] }
          result = task.rollout(&evaluator, weight: .nan, rng: &rng)
        }
        shared.withLock { state in
          state.rewards[job] = result.reward
          state.steps += result.steps
        }
      }
    }
    return shared.withLock { ($0.rewards, $0.steps) }
  }
}

/// Names the random streams of a batch of episodes: repetition r uses the stream keyed
/// (seed, purpose, generation, genome 0, rollout r), shared by every genome of the batch.
public struct EpisodeKey: Sendable, Equatable {
  public var seed: UInt64
  public var purpose: StreamPurpose
  public var generation: Int
  public init(seed: UInt64, purpose: StreamPurpose, generation: Int = 0) {
    self.seed = seed
    self.purpose = purpose
    self.generation = generation
  }
  public func stream(repetition: Int) -> RandomStream {
    RandomStream(seed: seed, purpose: purpose, generation: generation, rollout: repetition)
  }
}
