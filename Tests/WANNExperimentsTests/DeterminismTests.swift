import Testing
import WANNCore
@testable import WANNExperiments
@testable import WANNTasks

@Suite struct DeterminismTests {
  static func run(threads: Int, seed: UInt64 = 5) throws -> ([GenerationSummary], [Genome]) {
    var c = SearchConfig.defaults(for: .swingup)
    c.seed = seed
    c.population.size = 24
    var run = try SearchRun(config: c, threads: threads)
    var summaries: [GenerationSummary] = []
    for _ in 0..<6 {
      var s = run.runGeneration()
      s.seconds = 0  // wall time is the only field allowed to differ
      summaries.append(s)
    }
    return (summaries, run.evolution.genomes)
  }

  @Test func searchIsIdenticalForOneTwoAndFourThreads() throws {
    let one = try Self.run(threads: 1)
    for t in [2, 4] {
      let other = try Self.run(threads: t)
      #expect(other.0 == one.0, "\(t) threads: statistics differ")
      #expect(other.1 == one.1, "\(t) threads: genomes differ")
    }
    #expect(try Self.run(threads: 1, seed: 6).0 != one.0)
  }

  @Test func evaluatorGivesTheSameMatrixForAnyThreadCount() throws {
    var rng = RandomStream(seed: 1, purpose: .benchmark)
    var record = Genome.initialRecord(inputs: 5, outputs: 1)
    var genomes: [Genome] = []
    for _ in 0..<7 {
      var g = Genome.initial(inputs: 5, outputs: 1, connectionProbability: 0.7, using: &rng)
      for _ in 0..<4 { g.insertNode(activations: Activation.originalControlSet, record: &record, using: &rng) }
      genomes.append(g)
    }
    let networks = try genomes.map { try Network($0) }
    func eval(_ t: Int) -> RewardMatrix {
      ParallelEvaluator(threads: t).evaluate(
        task: SwingUpTask(), networks: networks, weights: [-1, 0.5, 2], repetitions: 3,
        episodes: EpisodeKey(seed: 2, purpose: .rollout)
      ).rewards
    }
    let base = eval(1)
    #expect(eval(2).values.map(\.bitPattern) == base.values.map(\.bitPattern))
    #expect(eval(3).values.map(\.bitPattern) == base.values.map(\.bitPattern))
    // Every genome sees the same episodes: identical genomes get identical rows.
    let twins = ParallelEvaluator(threads: 2).evaluate(
      task: SwingUpTask(), networks: [networks[0], networks[0]], weights: [1], repetitions: 4,
      episodes: EpisodeKey(seed: 2, purpose: .rollout)
    ).rewards
    for r in 0..<4 { #expect(twins[genome: 0, repetition: r, weight: 0] == twins[genome: 1, repetition: r, weight: 0]) }
  }
}
