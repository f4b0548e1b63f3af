import Testing
import WANNCore
@testable import WANNTasks

@Suite struct WeightModeEvaluationTests {
  static func network() throws -> Network {
    var rng = RandomStream(seed: 4, purpose: .benchmark)
    var record = Genome.initialRecord(inputs: 5, outputs: 1)
    var g = Genome.initial(inputs: 5, outputs: 1, connectionProbability: 0.8, using: &rng)
    for _ in 0..<5 { g.insertNode(activations: Activation.originalControlSet, record: &record, using: &rng) }
    return try Network(g)
  }

  @Test func singleFixedEqualsAOneValueSeries() throws {
    let key = EpisodeKey(seed: 2, purpose: .evaluation)
    let net = try Self.network()
    let a = ParallelEvaluator(threads: 2).evaluate(
      task: SwingUpTask(), networks: [net], mode: .singleFixed(0.7), repetitions: 4, episodes: key)
    let b = ParallelEvaluator(threads: 2).evaluate(
      task: SwingUpTask(), networks: [net], weights: [0.7], repetitions: 4, episodes: key)
    #expect(a.rewards.values.map(\.bitPattern) == b.rewards.values.map(\.bitPattern))
  }

  @Test func randomModesAreDeterministicForAnyThreadCount() throws {
    let key = EpisodeKey(seed: 2, purpose: .evaluation)
    let nets = [try Self.network(), try Self.network()]
    for mode in [WeightMode.perConnectionRandom(low: -2, high: 2, draws: 4), .gaussianNoise([-1, 1], sigma: 0.5)] {
      let one = ParallelEvaluator(threads: 1).evaluate(
        task: SwingUpTask(), networks: nets, mode: mode, repetitions: 3, episodes: key)
      let two = ParallelEvaluator(threads: 2).evaluate(
        task: SwingUpTask(), networks: nets, mode: mode, repetitions: 3, episodes: key)
      #expect(one.rewards.values.map(\.bitPattern) == two.rewards.values.map(\.bitPattern))
      #expect(one.rewards.weights == mode.conditionCount)
      // Same network, same draws: identical rows; different conditions: different rewards.
      for r in 0..<3 {
        #expect(one.rewards[genome: 0, repetition: r, weight: 0] == one.rewards[genome: 1, repetition: r, weight: 0])
      }
      #expect(one.rewards[genome: 0, repetition: 0, weight: 0] != one.rewards[genome: 0, repetition: 0, weight: 1])
    }
  }
}
