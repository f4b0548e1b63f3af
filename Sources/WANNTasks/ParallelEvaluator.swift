import WANNCore

/// Evaluates a generation's genomes: every genome, repetition and weight condition, with
/// rollouts drawn from `episodes`. Implementations must give the same rewards as
/// `ParallelEvaluator` bit for bit (a reward depends only on the genome and its episode's keys),
/// so a search is the same whatever evaluates it.
public protocol GenerationEvaluator: Sendable {
  func evaluate(
    task: any WANNTask, genomes: [Genome], networks: [Network], mode: WeightMode, repetitions: Int,
    episodes: EpisodeKey
  ) -> (rewards: RewardMatrix, steps: Int)

  /// Compiles a generation's genomes, which the search keeps valid. An evaluator with threads
  /// compiles on them: at MNIST's population of 960 compiling on one thread was a tenth of a
  /// generation. The networks are the same however they are spread.
  func compile(_ genomes: [Genome]) -> [Network]
}

extension GenerationEvaluator {
  public func compile(_ genomes: [Genome]) -> [Network] { genomes.map(compileSearchGenome) }
}

/// Search genomes keep the network invariants, so compiling one cannot fail.
func compileSearchGenome(_ genome: Genome) -> Network {
  do { return try Network(genome) } catch { preconditionFailure("search produced an invalid genome: \(error)") }
}

extension ParallelEvaluator: GenerationEvaluator {
  public func compile(_ genomes: [Genome]) -> [Network] {
    let compiled = Locked([Network?](repeating: nil, count: genomes.count))
    WorkerPool.run(jobs: genomes.count, threads: threads) { jobs in
      var mine: [(Int, Network)] = []
      while let g = jobs.next() { mine.append((g, compileSearchGenome(genomes[g]))) }
      compiled.withLock { all in for (g, network) in mine { all[g] = network } }
    }
    return compiled.withLock { $0.map { $0! } }
  }

  public func evaluate(
    task: any WANNTask, genomes: [Genome], networks: [Network], mode: WeightMode, repetitions: Int,
    episodes: EpisodeKey
  ) -> (rewards: RewardMatrix, steps: Int) {
    evaluate(task: task, networks: networks, mode: mode, repetitions: repetitions, episodes: episodes)
  }
}

/// Spreads rollouts over threads. Work is split into jobs (one network, one repetition, every
/// weight value) handed out dynamically, since networks differ in cost. Each job writes only its
/// own cells of the reward matrix and draws its randomness from its own keyed stream, so the
/// result is identical for any thread count.
public struct ParallelEvaluator: Sendable {
  public let threads: Int
  /// Where the workers report how full their lanes were (nil: not counted).
  public let laneUsage: LaneUsage?

  public init(threads: Int, laneUsage: LaneUsage? = nil) {
    precondition(threads >= 1, "threads must be at least 1")
    self.threads = threads
    self.laneUsage = laneUsage
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
    let perNetwork = repetitions * conditions
    let blocks = (perNetwork + Self.rolloutsPerJob - 1) / Self.rolloutsPerJob
    // Each job writes its own cells; the lock is taken once per job, never per step.
    let shared = Locked(
      (matrix: RewardMatrix(genomes: networks.count, repetitions: repetitions, weights: conditions), steps: 0))
    WorkerPool.run(jobs: networks.count * blocks, threads: threads) { jobs in
      var evaluator = NetworkEvaluator()
      var loaded = -1, steps = 0
      defer { laneUsage?.add(computedLaneSteps: evaluator.computedLaneSteps, steps: steps) }
      while let job = jobs.next() {
        let g = job / blocks, block = job % blocks
        if g != loaded {
          evaluator.load(networks[g])
          loaded = g
        }
        // Rollout i of a network is repetition i / conditions at condition i % conditions.
        let range = (block * Self.rolloutsPerJob)..<min(perNetwork, (block + 1) * Self.rolloutsPerJob)
        let plans = range.map { i -> RolloutPlan in
          let r = i / conditions, c = i % conditions
          if let w = mode.sharedWeight(condition: c) { return RolloutPlan(weights: .shared(w), episode: r) }
          var draws = WeightMode.stream(
            seed: episodes.seed, generation: episodes.generation, repetition: r, condition: c)
          let ws = (0..<evaluator.connectionCount).map { _ in mode.drawConnectionWeight(condition: c, using: &draws) }
          return RolloutPlan(weights: .individual(ws), episode: r)
        }
        let results = task.rollouts(&evaluator, network: networks[g], plans: plans[...], episodes: episodes)
        for result in results { steps += result.steps }
        shared.withLock { state in
          let base = state.matrix.offset(genome: g, repetition: 0, weight: 0)
          for (i, result) in zip(range, results) {
            state.matrix.values[base + i] = result.reward
            state.steps += result.steps
          }
        }
      }
    }
    return shared.withLock { ($0.matrix, $0.steps) }
  }

  /// Rollouts handed to a thread at once: enough to keep a network's eight lanes busy (a lane
  /// whose episode ends takes the next rollout), few enough that long re-scorings of one
  /// network still spread over every thread. The count changes no result.
  static let rolloutsPerJob = 24
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
  public func evaluate(
    task: any WANNTask, network: Network, rollouts: [RolloutPlan],
    episodes: EpisodeKey
  ) -> (rewards: [Double], steps: Int) {
    let blocks = (rollouts.count + Self.rolloutsPerJob - 1) / Self.rolloutsPerJob
    let shared = Locked((rewards: [Double](repeating: .nan, count: rollouts.count), steps: 0))
    WorkerPool.run(jobs: blocks, threads: threads) { jobs in
      var evaluator = NetworkEvaluator()
      evaluator.load(network)
      var steps = 0
      defer { laneUsage?.add(computedLaneSteps: evaluator.computedLaneSteps, steps: steps) }
      while let job = jobs.next() {
        let range = (job * Self.rolloutsPerJob)..<min(rollouts.count, (job + 1) * Self.rolloutsPerJob)
        let results = task.rollouts(&evaluator, network: network, plans: rollouts[range], episodes: episodes)
        for result in results { steps += result.steps }
        shared.withLock { state in
          for (i, result) in zip(range, results) {
            state.rewards[i] = result.reward
            state.steps += result.steps
          }
        }
      }
    }
    return shared.withLock { ($0.rewards, $0.steps) }
  }
}

/// Names the random streams of a batch of episodes: repetition r uses the stream keyed
/// (seed, purpose, generation, genome 0, rollout r), shared by every genome of the batch.
public struct EpisodeKey: Sendable, Hashable {
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

/// How full the lanes were over the evaluations it was handed to: the lane-steps the lane
/// driver's network passes computed (eight per full pass, `NetworkEvaluator.narrowLaneCount` per
/// narrow one) and the environment steps they made. For benchmarks (docs/performance.md, "Lane
/// occupancy"); counting changes no result.
public final class LaneUsage: Sendable {
  private let counts = Locked((computed: 0, steps: 0))

  public init() {}

  /// Adds one worker's lane-steps (a worker whose task steps no lanes adds nothing).
  func add(computedLaneSteps: Int, steps: Int) {
    guard computedLaneSteps > 0 else { return }
    counts.withLock { $0 = ($0.computed + computedLaneSteps, $0.steps + steps) }
  }

  /// Busy lane-steps over all computed lane-steps, or nil when nothing ran in lanes.
  public var occupancy: Double? {
    counts.withLock { c in c.computed > 0 ? Double(c.steps) / Double(c.computed) : nil }
  }
}
