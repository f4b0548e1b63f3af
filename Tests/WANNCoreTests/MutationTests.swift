import Testing
@testable import WANNCore

@Suite struct MutationTests {
  static let acts = Activation.originalControlSet

  /// Evolves random genomes for many steps with each operator and checks the invariants after
  /// every step. Prints the failing seed.
  @Test(arguments: [Origin.insertNode, .addConnection, .changeActivation, .enableConnection])
  func operatorsKeepInvariants(_ op: Origin) {
    for seed in UInt64(0)..<40 {
      var rng = RandomStream(seed: seed, purpose: .mutation)
      var record = Genome.initialRecord(inputs: 5, outputs: 2)
      var g = Genome.initial(inputs: 5, outputs: 2, connectionProbability: 0.5, using: &rng)
      for step in 0..<60 {
        record.beginGeneration()
        // Mix in structure so every operator has something to act on.
        if step % 3 == 0 { g.insertNode(activations: Self.acts, record: &record, using: &rng) }
        if step % 4 == 0 { g.addConnection(record: &record, using: &rng) }
        switch op {
        case .insertNode: g.insertNode(activations: Self.acts, record: &record, using: &rng)
        case .addConnection: g.addConnection(record: &record, using: &rng)
        case .changeActivation: g.changeActivation(activations: Self.acts, using: &rng)
        case .enableConnection: g.enableConnection(using: &rng)
        default: break
        }
        if let v = g.invariantViolation() {
          Issue.record("seed \(seed) step \(step) after \(op): \(v)")
          return
        }
      }
    }
  }

  @Test func insertNodeSplitsAnEnabledConnection() {
    var rng = RandomStream(seed: 1, purpose: .mutation)
    var record = Genome.initialRecord(inputs: 2, outputs: 1)
    let parent = Genome.initial(inputs: 2, outputs: 1, connectionProbability: 1, using: &rng)
    var child = parent
    child.insertNode(activations: [.tanh], record: &record, using: &rng)
    #expect(child.nodes.count == parent.nodes.count + 1)
    #expect(child.connections.count == parent.connections.count + 2)
    #expect(child.activeConnectionCount == parent.activeConnectionCount + 1)
    let new = child.nodes.last!
    #expect(new.kind == .hidden && new.activation == .tanh && new.id == NodeID(4))
    let disabled = child.connections.first { !$0.isEnabled }!
    let into = child.connections[child.connections.count - 2], out = child.connections.last!
    #expect(into.source == disabled.source && into.target == new.id)
    #expect(out.source == new.id && out.target == disabled.target)
  }

  @Test func sameChangeInOneGenerationGetsSameIds() {
    var rng = RandomStream(seed: 1, purpose: .mutation)
    let parent = Genome.initial(inputs: 3, outputs: 1, connectionProbability: 1, using: &rng)
    var record = Genome.initialRecord(inputs: 3, outputs: 1)
    // Two children split the same connection in one generation: same node and innovations.
    var first = parent, second = parent
    var r1 = RandomStream(seed: 9, purpose: .mutation), r2 = RandomStream(seed: 9, purpose: .mutation)
    first.insertNode(activations: [.relu], record: &record, using: &r1)
    second.insertNode(activations: [.relu], record: &record, using: &r2)
    #expect(first == second)
    // In the next generation the same split is a new innovation.
    record.beginGeneration()
    var third = parent
    var r3 = RandomStream(seed: 9, purpose: .mutation)
    third.insertNode(activations: [.relu], record: &record, using: &r3)
    #expect(third.nodes.last!.id != first.nodes.last!.id)
    #expect(third.connections.last!.innovation != first.connections.last!.innovation)
  }

  @Test func addConnectionOnlyGoesForward() {
    var rng = RandomStream(seed: 5, purpose: .mutation)
    var record = Genome.initialRecord(inputs: 3, outputs: 2)
    var g = Genome.initial(inputs: 3, outputs: 2, connectionProbability: 0.3, using: &rng)
    for _ in 0..<10 { g.insertNode(activations: Self.acts, record: &record, using: &rng) }
    for _ in 0..<200 {
      let before = g.connections.count
      g.addConnection(record: &record, using: &rng)
      guard g.connections.count > before else { break }  // the layered graph is full
      let layers = g.layers()!
      let idx = g.nodeIndex()
      let c = g.connections.last!
      #expect(layers[idx[c.target]!] > layers[idx[c.source]!])
    }
    // Eventually every allowed link exists and the operator becomes a no-op.
    let full = g
    g.addConnection(record: &record, using: &rng)
    #expect(g == full)
  }

  @Test func changeActivationPicksADifferentHiddenActivation() {
    var rng = RandomStream(seed: 2, purpose: .mutation)
    var record = Genome.initialRecord(inputs: 2, outputs: 1)
    var g = Genome.initial(inputs: 2, outputs: 1, connectionProbability: 1, using: &rng)
    var noHidden = g
    noHidden.changeActivation(activations: Self.acts, using: &rng)
    #expect(noHidden == g)  // nothing to change
    g.insertNode(activations: [.sine], record: &record, using: &rng)
    for _ in 0..<20 {
      let before = g.nodes.last!.activation
      g.changeActivation(activations: Self.acts, using: &rng)
      #expect(g.nodes.last!.activation != before)
      #expect(Self.acts.contains(g.nodes.last!.activation))
    }
    #expect(g.nodes.filter { $0.kind == .output }.allSatisfy { $0.activation == .linear })
  }

  @Test func enableConnectionEnablesADisabledGene() {
    var rng = RandomStream(seed: 3, purpose: .mutation)
    var g = Genome.initial(inputs: 4, outputs: 1, connectionProbability: 0, using: &rng)
    #expect(g.activeConnectionCount == 0 && g.connections.count == 5)
    g.enableConnection(using: &rng)
    #expect(g.activeConnectionCount == 1)
  }

  @Test func rouletteFollowsProbabilitiesAndAppliesOneOperator() {
    var config = MutationConfig()
    var counts: [Origin: Int] = [:]
    var record = Genome.initialRecord(inputs: 2, outputs: 1)
    var rng0 = RandomStream(seed: 4, purpose: .mutation)
    let parent = Genome.initial(inputs: 2, outputs: 1, connectionProbability: 1, using: &rng0)
    let n = 20_000
    for i in 0..<n {
      var rng = RandomStream(seed: 4, purpose: .mutation, genome: i)
      let (_, op) = parent.mutated(config, hiddenActivations: Self.acts, record: &record, using: &rng)
      counts[op, default: 0] += 1
    }
    let expected: [Origin: Double] = [
      .insertNode: 0.25, .addConnection: 0.2, .changeActivation: 0.5, .enableConnection: 0.05,
    ]
    for (op, p) in expected {
      let sd = (Double(n) * p * (1 - p)).squareRoot()
      #expect(abs(Double(counts[op] ?? 0) - Double(n) * p) < 6 * sd, "\(op): \(counts[op] ?? 0)")
    }
    config.insertNode = 1; config.addConnection = 0; config.changeActivation = 0; config.enableConnection = 0
    var rng = RandomStream(seed: 5, purpose: .mutation)
    let (child, op) = parent.mutated(config, hiddenActivations: Self.acts, record: &record, using: &rng)
    #expect(op == .insertNode && child.nodes.count == parent.nodes.count + 1)
  }

  @Test func initialPopulationFollowsConnectionProbability() {
    var enabled = 0, total = 0
    for i in 0..<400 {
      var rng = RandomStream(seed: 6, purpose: .initialPopulation, genome: i)
      let g = Genome.initial(inputs: 5, outputs: 1, connectionProbability: 0.5, using: &rng)
      #expect(g.connections.count == 6 && g.hiddenCount == 0)
      #expect(g.connections.map(\.innovation.rawValue) == Array(0..<6))
      enabled += g.activeConnectionCount
      total += 6
    }
    #expect(abs(Double(enabled) / Double(total) - 0.5) < 0.04)
  }
}

@Suite struct CompactEncodingTests {
  /// What travels between MPI ranks decodes to the same genome, and a damaged buffer is an error.
  @Test func roundTripsEveryGeneKind() throws {
    var g = Genome.bare(inputs: 3, outputs: 2)
    g.nodes.append(NodeGene(id: NodeID(6), kind: .hidden, activation: .sine))
    g.connections.append(ConnectionGene(innovation: Innovation(7), source: NodeID(1), target: NodeID(6)))
    g.connections.append(
      ConnectionGene(innovation: Innovation(9), source: NodeID(6), target: NodeID(4), isEnabled: false))
    g.connections.append(
      ConnectionGene(innovation: Innovation(12), source: NodeID(5), target: NodeID(6), isRecurrent: true))
    let encoded = g.compactEncoding()
    #expect(try Genome(compact: encoded[...]) == g)
    #expect(throws: Genome.CompactDecodingError.self) { try Genome(compact: encoded.dropLast()) }
    var badActivation = encoded
    badActivation[5] = 99
    #expect(throws: Genome.CompactDecodingError.self) { try Genome(compact: badActivation[...]) }
    // The disabled-hidden-links rule travels too (an MPI worker must build the same network).
    g.disabledHiddenLinks = .active
    let original = g.compactEncoding()
    #expect(try Genome(compact: original[...]) == g)
    #expect(try Genome(compact: original[...]) != Genome(compact: encoded[...]))
    var badRule = original
    badRule[2] = 2
    #expect(throws: Genome.CompactDecodingError.self) { try Genome(compact: badRule[...]) }
  }
}
