import Testing
@testable import WANNCore

/// Hand-built recurrent networks whose outputs are known in closed form.
@Suite struct RecurrenceTests {
  static func link(_ i: Int64, _ s: Int32, _ t: Int32, recurrent: Bool = false) -> ConnectionGene {
    ConnectionGene(innovation: Innovation(i), source: NodeID(s), target: NodeID(t), isRecurrent: recurrent)
  }

  /// Runs `steps` steps feeding `inputs(t)` to input 0; returns output 0 (and 1 if present).
  static func run(_ g: Genome, weight: Double, steps: Int, inputs: (Int) -> Double) throws -> [[Double]] {
    var e = NetworkEvaluator()
    e.load(try Network(g))
    e.resetState()
    var out: [[Double]] = []
    for t in 0..<steps {
      if e.inputCount > 0 { e.setInput(0, inputs(t)) }
      e.forward(weight: weight)
      out.append((0..<e.outputCount).map { e.output($0) })
    }
    return out
  }

  /// in -> out through a recurrent link: out(t) = w * in(t - 1), out(0) = 0.
  @Test func delayLine() throws {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.connections = [Self.link(0, 1, 2, recurrent: true)]
    let xs = [0.5, -1.0, 2.0, 0.25, 3.0]
    let out = try Self.run(g, weight: 1.5, steps: xs.count) { xs[$0] }.map { $0[0] }
    #expect(out == [0] + xs.dropLast().map { 1.5 * $0 })
  }

  /// Hidden linear node with a self-loop at w = 1 sums its input: h(t) = x(t) + h(t - 1).
  @Test func accumulator() throws {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(3), kind: .hidden, activation: .linear))
    g.connections = [Self.link(0, 1, 3), Self.link(1, 3, 3, recurrent: true), Self.link(2, 3, 2)]
    let xs: [Double] = [1, 2, 3, 4, 5, -6]
    let out = try Self.run(g, weight: 1, steps: xs.count) { xs[$0] }.map { $0[0] }
    var sum = 0.0
    #expect(
      out
        == xs.map {
          sum += $0; return sum
        })
  }

  /// h(t) = -(1 + h(t - 1)) with w = 1 (bias in, inverse activation, self-loop): -1, 0, -1, 0, ...
  @Test func oscillator() throws {
    var g = Genome.bare(inputs: 0, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(2), kind: .hidden, activation: .inverse))
    g.connections = [Self.link(0, 0, 2), Self.link(1, 2, 2, recurrent: true), Self.link(2, 2, 1)]
    let out = try Self.run(g, weight: 1, steps: 8) { _ in 0 }.map { $0[0] }
    #expect(out == [-1, 0, -1, 0, -1, 0, -1, 0])
  }

  /// in -> out1 -> out2 (feed-forward output-to-output): out2 = w^2 * in in the same step.
  @Test func outputToOutputChain() throws {
    var g = Genome.bare(inputs: 1, outputs: 2)
    g.connections = [Self.link(0, 1, 2), Self.link(1, 2, 3)]
    #expect(g.invariantViolation(in: SearchSpace(outputToOutput: true)) == nil)
    #expect(g.invariantViolation() != nil)  // not in the paper's space
    let out = try Self.run(g, weight: -2, steps: 3) { Double($0 + 1) }
    #expect(out.map { $0[1] } == [4, 8, 12])
    #expect(out.map { $0[0] } == [-2, -4, -6])
  }

  /// State persists across steps of an episode and resets between episodes.
  @Test func stateResetsBetweenEpisodes() throws {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(3), kind: .hidden, activation: .linear))
    g.connections = [Self.link(0, 1, 3), Self.link(1, 3, 3, recurrent: true), Self.link(2, 3, 2)]
    let first = try Self.run(g, weight: 1, steps: 4) { _ in 1 }
    let second = try Self.run(g, weight: 1, steps: 4) { _ in 1 }
    #expect(first == second && first.map { $0[0] } == [1, 2, 3, 4])
  }

  /// In a recurrent, output-to-output space mutation makes every kind of link the space allows,
  /// never an unlabelled cycle; in the paper's space it makes none of them.
  @Test func mutationReachesEveryAllowedKindOfLink() {
    let wide = SearchSpace(recurrent: true, outputToOutput: true)
    var kinds = Set<String>()
    for seed in UInt64(0)..<30 {
      var rng = RandomStream(seed: seed, purpose: .mutation)
      var record = Genome.initialRecord(inputs: 3, outputs: 2)
      var g = Genome.initial(inputs: 3, outputs: 2, connectionProbability: 0.5, using: &rng)
      for step in 0..<40 {
        record.beginGeneration()
        if step % 2 == 0 { g.insertNode(activations: Activation.originalControlSet, record: &record, using: &rng) }
        g.addConnection(in: wide, record: &record, using: &rng)
        if let v = g.invariantViolation(in: wide) {
          Issue.record("seed \(seed) step \(step): \(v)")
          return
        }
      }
      let index = g.nodeIndex()
      for c in g.connections {
        let s = g.nodes[index[c.source]!].kind, t = g.nodes[index[c.target]!].kind
        if c.source == c.target { kinds.insert("self-loop") }
        if c.isRecurrent && c.source != c.target { kinds.insert("recurrent") }
        if s == .output && t == .output {
          kinds.insert(c.isRecurrent ? "output-to-output recurrent" : "output-to-output")
        }
        if !c.isRecurrent && s != .output { kinds.insert("feed-forward") }
      }
      let acyclic = g.isAcyclicWithoutRecurrentGenes
      #expect(acyclic)
    }
    #expect(kinds == ["self-loop", "recurrent", "output-to-output", "output-to-output recurrent", "feed-forward"])
  }

  @Test func outputToOutputWithoutRecurrenceStaysAcyclic() {
    let space = SearchSpace(outputToOutput: true)
    var sawOutputLink = false
    for seed in UInt64(0)..<30 {
      var rng = RandomStream(seed: seed, purpose: .mutation)
      var record = Genome.initialRecord(inputs: 2, outputs: 3)
      var g = Genome.initial(inputs: 2, outputs: 3, connectionProbability: 0.5, using: &rng)
      for _ in 0..<30 {
        record.beginGeneration()
        g.addConnection(in: space, record: &record, using: &rng)
        g.insertNode(activations: [.tanh], record: &record, using: &rng)
      }
      let violation = g.invariantViolation(in: space)
      #expect(violation == nil, "seed \(seed)")
      let anyRecurrent = g.connections.contains { $0.isRecurrent }
      #expect(!anyRecurrent)
      sawOutputLink =
        sawOutputLink
        || g.connections.contains {
          $0.source.rawValue >= 3 && $0.source.rawValue <= 5 && $0.target.rawValue >= 3 && $0.target.rawValue <= 5
        }
      _ = try? Network(g)
    }
    #expect(sawOutputLink)
  }
}
