import Testing
import WANNCore
@testable import WANNExperiments
@testable import WANNTasks

@Suite struct MemoryTaskTests {
  static let weights: [Double] = [-2, -1, -0.5, 0.5, 1, 2]

  static func link(_ i: Int64, _ s: Int32, _ t: Int32, recurrent: Bool = false) -> ConnectionGene {
    ConnectionGene(innovation: Innovation(i), source: NodeID(s), target: NodeID(t), isRecurrent: recurrent)
  }

  /// in -> h (linear) -> out with the second link recurrent: out(t) = w^2 x(t - 1), right at
  /// every step after the first, whatever the weight.
  @Test func recurrentRecallIsOptimalAtEveryWeight() throws {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(3), kind: .hidden, activation: .linear))
    g.connections = [Self.link(0, 1, 3), Self.link(1, 3, 2, recurrent: true)]
    let (rewards, _) = ParallelEvaluator(threads: 2).evaluate(
      task: RecallTask(), networks: [try Network(g)], weights: Self.weights, repetitions: 5,
      episodes: EpisodeKey(seed: 1, purpose: .evaluation))
    #expect(rewards.values.allSatisfy { $0 == Double(RecallTask.length - 1) })
  }

  /// The premise of "feed-forward cannot beat chance": a feed-forward network's output at step
  /// t depends on x(t) only. Checked on many random feed-forward genomes.
  @Test func feedForwardOutputDependsOnTheCurrentInputOnly() throws {
    for seed in UInt64(0)..<30 {
      var rng = RandomStream(seed: seed, purpose: .mutation)
      var record = Genome.initialRecord(inputs: 1, outputs: 1)
      var g = Genome.initial(inputs: 1, outputs: 1, connectionProbability: 1, using: &rng)
      for _ in 0..<12 {
        g.insertNode(activations: Activation.originalControlSet, record: &record, using: &rng)
        g.addConnection(record: &record, using: &rng)
      }
      var running = NetworkEvaluator(), fresh = NetworkEvaluator()
      let net = try Network(g)
      running.load(net)
      fresh.load(net)
      running.resetState()
      for _ in 0..<50 {
        let x: Double = rng.next() & 1 == 0 ? -1 : 1
        running.setInput(0, x)
        running.forward(weight: 1.5)
        fresh.resetState()
        fresh.setInput(0, x)
        fresh.forward(weight: 1.5)
        #expect(running.output(0).bitPattern == fresh.output(0).bitPattern, "seed \(seed)")
      }
    }
  }

  /// A short search: recurrent search finds memory, feed-forward search stays at chance.
  /// Champions are scored afresh (their re-test score is the best of many noisy re-tests, so it
  /// is biased upwards).
  @Test func recurrentSearchBeatsFeedForwardOnRecall() throws {
    func champion(_ space: SearchSpace) throws -> Double {
      var c = SearchConfig.defaults(for: .recall)
      c.population.size = 96
      c.searchSpace = space
      var run = try SearchRun(config: c, threads: 2)
      for _ in 0..<200 { _ = run.runGeneration() }
      let genome = try #require(run.evolution.champion).genome
      let (rewards, _) = ParallelEvaluator(threads: 2).evaluate(
        task: RecallTask(), networks: [try Network(genome)], weights: Self.weights, repetitions: 400,
        episodes: EpisodeKey(seed: 99, purpose: .evaluation))
      return Statistics.mean(rewards.values)
    }
    let ff = try champion(.feedForward), rec = try champion(SearchSpace(recurrent: true))
    // Feed-forward: expectation at most 49.5; 400 episodes x 99 coin flips give a standard
    // error of at most 0.25 (less than that once averaged over weights), so 51 is 6 SE away.
    #expect(ff < 51, "feed-forward champion \(ff)")
    #expect(rec > 70, "recurrent champion \(rec)")
  }

  /// swingup-novel sees (x, cos θ, sin θ) as inputs 0, 1, 2: a link from its cos input behaves
  /// exactly like a link from the full task's cos input (index 2 there).
  @Test func novelSwingUpObservesPositionAndAngleOnly() throws {
    let novel = SwingUpTask(observesVelocities: false)
    #expect(novel.kind == .swingupNovel && novel.inputLabels == ["x", "cos(theta)", "sin(theta)"])
    var gNovel = Genome.bare(inputs: 3, outputs: 1)
    gNovel.connections = [Self.link(0, 2, 4), Self.link(1, 3, 4)]  // cos, sin -> force
    var gFull = Genome.bare(inputs: 5, outputs: 1)
    gFull.connections = [Self.link(0, 3, 6), Self.link(1, 4, 6)]
    let key = EpisodeKey(seed: 3, purpose: .evaluation)
    let a = ParallelEvaluator(threads: 1).evaluate(
      task: novel, networks: [try Network(gNovel)], weights: Self.weights,
      repetitions: 3, episodes: key)
    let b = ParallelEvaluator(threads: 1).evaluate(
      task: SwingUpTask(), networks: [try Network(gFull)], weights: Self.weights,
      repetitions: 3, episodes: key)
    #expect(a.rewards.values.map(\.bitPattern) == b.rewards.values.map(\.bitPattern))
  }

  /// swingup-blink shows the state at steps 0, 4, 8, ... and exact zeros (flag 0) between: every
  /// blind step gives a network the same inputs, whatever the cart and pole do, which is why a
  /// memoryless network acts open-loop there.
  @Test func blinkSwingUpHidesTheStateBetweenObservations() throws {
    let blink = SwingUpTask(observationPeriod: SwingUpTask.blinkPeriod)
    #expect(blink.kind == .swingupBlink && blink.inputLabels.count == 6 && blink.inputLabels.last == "observed now")
    var rng = RandomStream(seed: 9, purpose: .evaluation)
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    for step in 0..<40 {
      let inputs = (0..<6).map { blink.blinkInput($0, of: env, step: step) }
      if step % 4 == 0 {
        #expect(inputs == (0..<5).map { env.observation($0) } + [1])
      } else {
        #expect(inputs.allSatisfy { $0 == 0 && $0.sign == .plus })
      }
      _ = env.step(step % 3 == 0 ? 0.7 : -0.4)
    }
    // With period 1 it is the plain task, bit for bit.
    var g = Genome.bare(inputs: 5, outputs: 1)
    g.connections = [Self.link(0, 3, 6), Self.link(1, 5, 6)]
    let key = EpisodeKey(seed: 4, purpose: .evaluation)
    let a = ParallelEvaluator(threads: 1).evaluate(
      task: SwingUpTask(observationPeriod: 1), networks: [try Network(g)], weights: Self.weights,
      repetitions: 2, episodes: key)
    let b = ParallelEvaluator(threads: 1).evaluate(
      task: SwingUpTask(), networks: [try Network(g)], weights: Self.weights,
      repetitions: 2, episodes: key)
    #expect(a.rewards.values.map(\.bitPattern) == b.rewards.values.map(\.bitPattern))
  }
}
