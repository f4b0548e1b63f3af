import Testing
import WANNCore
@testable import WANNTasks

/// Rollouts in lanes (eight episodes stepping together, lanes refilled as episodes end) must be
/// bit for bit the scalar rollouts, whatever lane a rollout lands in and whatever runs beside it.
@Suite struct LaneRolloutTests {
  /// Networks grown by random mutation: feed-forward, and recurrent (links that close cycles).
  static func networks(inputs: Int, outputs: Int, recurrent: Bool, count: Int = 4) throws -> [Network] {
    var rng = RandomStream(seed: recurrent ? 9 : 8, purpose: .benchmark)
    var record = Genome.initialRecord(inputs: inputs, outputs: outputs)
    let space: SearchSpace = recurrent ? SearchSpace(recurrent: true, outputToOutput: true) : .feedForward
    return try (0..<count).map { _ in
      var g = Genome.initial(inputs: inputs, outputs: outputs, connectionProbability: 0.6, using: &rng)
      for _ in 0..<6 {
        g.insertNode(activations: Activation.allCases, record: &record, using: &rng)
        g.addConnection(in: space, record: &record, using: &rng)
      }
      return try Network(g)
    }
  }

  /// Shared-weight and individual-weight plans over a few episodes.
  static func plans(connections: Int, episodes: Int) -> [RolloutPlan] {
    var rng = RandomStream(seed: 3, purpose: .benchmark)
    var plans: [RolloutPlan] = []
    for e in 0..<episodes {
      for w in [-2.0, -0.5, 0.5, 1, 2] { plans.append(RolloutPlan(weights: .shared(w), episode: e)) }
      plans.append(RolloutPlan(weights: .individual((0..<connections).map { _ in rng.uniform() * 4 - 2 }), episode: e))
    }
    return plans
  }

  static func expectLanesMatchScalar(_ task: some WANNTask, _ networks: [Network], episodes: Int = 4) {
    let key = EpisodeKey(seed: 12, purpose: .evaluation)
    for network in networks {
      var evaluator = NetworkEvaluator()
      evaluator.load(network)
      let plans = Self.plans(connections: evaluator.connectionCount, episodes: episodes)
      let lanes = task.rollouts(&evaluator, plans: plans[...], episodes: key)
      let scalar = task.scalarRollouts(&evaluator, plans: plans[...], episodes: key)
      #expect(lanes.map(\.reward.bitPattern) == scalar.map(\.reward.bitPattern), "\(task.kind): rewards differ")
      #expect(lanes.map(\.steps) == scalar.map(\.steps), "\(task.kind): episode lengths differ")
      // A different split (odd slices) lands rollouts in other lanes: same results.
      let split = stride(from: 0, to: plans.count, by: 5).flatMap { start in
        task.rollouts(&evaluator, plans: plans[start..<min(plans.count, start + 5)], episodes: key)
      }
      #expect(
        split.map(\.reward.bitPattern) == scalar.map(\.reward.bitPattern), "\(task.kind): depends on the lane split")
    }
  }

  @Test func swingUpLanesAreTheScalarRollouts() throws {
    Self.expectLanesMatchScalar(SwingUpTask(), try Self.networks(inputs: 5, outputs: 1, recurrent: false))
    Self.expectLanesMatchScalar(SwingUpTask(), try Self.networks(inputs: 5, outputs: 1, recurrent: true))
    Self.expectLanesMatchScalar(
      SwingUpTask(observesVelocities: false), try Self.networks(inputs: 3, outputs: 1, recurrent: true))
    let blink = SwingUpTask(observationPeriod: SwingUpTask.blinkPeriod)
    Self.expectLanesMatchScalar(blink, try Self.networks(inputs: 6, outputs: 1, recurrent: true))
    Self.expectLanesMatchScalar(blink, try Self.networks(inputs: 6, outputs: 1, recurrent: false))
  }

  @Test func recallLanesAreTheScalarRollouts() throws {
    Self.expectLanesMatchScalar(RecallTask(), try Self.networks(inputs: 1, outputs: 1, recurrent: true), episodes: 6)
  }

  @Test func walkerLanesAreTheScalarRollouts() throws {
    Self.expectLanesMatchScalar(
      BipedTask(maxSteps: 60), try Self.networks(inputs: 24, outputs: 4, recurrent: false, count: 1), episodes: 2)
  }

  /// The original champion's lane rollouts over its reference episodes end where the scalar ones
  /// do (long episodes: 1000 steps, every lane busy until the end).
  @Test func championRescoreInLanesEqualsScalar() throws {
    let champion = try OriginalNetwork(csv: Reference.text("original-champions/swing.out"), inputs: 5, outputs: 1)
    let network = try Network(champion.genome)
    Self.expectLanesMatchScalar(SwingUpTask(), [network], episodes: 3)
  }

  /// Counting lane occupancy changes no reward, and the count is what the lanes did: the steps
  /// made over the lane-steps the passes computed, never more than full.
  @Test func laneUsageCountsWithoutChangingAResult() throws {
    let networks = try Self.networks(inputs: 5, outputs: 1, recurrent: false)
    let key = EpisodeKey(seed: 4, purpose: .evaluation)
    let weights = [-2.0, -1, -0.5, 0.5, 1, 2]
    let plain = ParallelEvaluator(threads: 2).evaluate(
      task: SwingUpTask(), networks: networks, weights: weights, repetitions: 3, episodes: key)
    let usage = LaneUsage()
    let counted = ParallelEvaluator(threads: 2, laneUsage: usage).evaluate(
      task: SwingUpTask(), networks: networks, weights: weights, repetitions: 3, episodes: key)
    #expect(counted.rewards.values.map(\.bitPattern) == plain.rewards.values.map(\.bitPattern))
    #expect(counted.steps == plain.steps)
    // 18 rollouts per network in eight lanes: the last round cannot be full.
    let occupancy = try #require(usage.occupancy)
    #expect(occupancy > 0 && occupancy < 1, "\(occupancy)")
    // One network, one rollout of 1000 steps at most: one lane busy, in the narrow step.
    var evaluator = NetworkEvaluator()
    evaluator.load(networks[0])
    let one = SwingUpTask().rollouts(
      &evaluator, plans: [RolloutPlan(weights: .shared(1), episode: 0)], episodes: key)
    #expect(evaluator.lanePasses == one[0].steps)
    #expect(evaluator.computedLaneSteps == one[0].steps * NetworkEvaluator.narrowLaneCount)
    #expect(LaneUsage().occupancy == nil)
  }
}
