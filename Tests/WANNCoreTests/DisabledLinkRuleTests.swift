import Foundation
import Testing
@testable import WANNCore

/// `searchSpace.disabledHiddenLinks = "active"` must express a genome as the original release
/// does. The reference here follows the original's steps on a weight matrix (ind.py: disabled
/// genes get NaN, the hidden-to-hidden block's nonzero entries become 1, NaN becomes 0, `nConn`
/// counts the nonzero entries, `act` sums each node's column in topological order), written
/// independently of `Network`.
@Suite struct DisabledLinkRuleTests {
  /// The original's expression of `genome`: connection count and the outputs for `inputs` at
  /// shared weight `w`. `hiddenBlockRule` false gives NEAT's expression (disabled = absent).
  static func originalExpression(_ genome: Genome, inputs: [Double], weight w: Double, hiddenBlockRule: Bool)
    -> (connections: Int, outputs: [Double])
  {
    let n = genome.nodes.count
    let index = genome.nodeIndex()
    var matrix = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for c in genome.connections { matrix[index[c.source]!][index[c.target]!] = c.isEnabled ? 1 : .nan }
    let isHidden = genome.nodes.map { $0.kind == .hidden }
    for s in 0..<n where isHidden[s] {
      for t in 0..<n where isHidden[t] && hiddenBlockRule && matrix[s][t] != 0 { matrix[s][t] = 1 }
    }
    for s in 0..<n { for t in 0..<n where matrix[s][t].isNaN { matrix[s][t] = 0 } }
    let connections = matrix.joined().filter { $0 != 0 }.count
    // Topological order of the hidden nodes over the matrix, then the outputs.
    var order: [Int] = []
    var placed = genome.nodes.map { $0.kind == .bias || $0.kind == .input }
    while order.count < isHidden.filter({ $0 }).count {
      let next = (0..<n).first { t in
        isHidden[t] && !placed[t] && (0..<n).allSatisfy { s in matrix[s][t] == 0 || placed[s] }
      }!
      placed[next] = true
      order.append(next)
    }
    order += (0..<n).filter { genome.nodes[$0].kind == .output }
    var value = [Double](repeating: 0, count: n)
    var nextInput = 0
    for i in 0..<n {
      switch genome.nodes[i].kind {
      case .bias: value[i] = 1
      case .input: value[i] = inputs[nextInput]; nextInput += 1
      default: break
      }
    }
    for t in order {
      var raw = 0.0
      for s in 0..<n where matrix[s][t] != 0 { raw += value[s] * matrix[s][t] * w }
      value[t] = genome.nodes[t].activation(raw)
    }
    return (connections, (0..<n).filter { genome.nodes[$0].kind == .output }.map { value[$0] })
  }

  /// Genomes grown by many node insertions, so that disabled hidden-to-hidden genes exist.
  static func grownGenomes(count: Int) -> [Genome] {
    (0..<count).map { k in
      var rng = RandomStream(seed: UInt64(k), purpose: .mutation)
      var record = Genome.initialRecord(inputs: 3, outputs: 2)
      var g = Genome.initial(inputs: 3, outputs: 2, connectionProbability: 0.7, using: &rng)
      for step in 0..<40 {
        record.beginGeneration()
        g.insertNode(activations: Activation.originalControlSet, record: &record, using: &rng)
        if step % 3 == 0 { g.addConnection(record: &record, using: &rng) }
        if step % 7 == 0 { g.enableConnection(using: &rng) }
      }
      return g
    }
  }

  static func hasDisabledHiddenLink(_ g: Genome) -> Bool {
    let hidden = Set(g.nodes.filter { $0.kind == .hidden }.map(\.id))
    return g.connections.contains { !$0.isEnabled && hidden.contains($0.source) && hidden.contains($0.target) }
  }

  @Test(arguments: [DisabledLinkRule.inactive, .active])
  func networkAndCountMatchTheOriginalsExpression(_ rule: DisabledLinkRule) throws {
    let genomes = Self.grownGenomes(count: 12)
    #expect(genomes.filter(Self.hasDisabledHiddenLink).count >= 6, "the test needs disabled hidden-to-hidden genes")
    let inputs = [0.4, -1.3, 0.8]
    var evaluator = NetworkEvaluator()
    for var g in genomes {
      g.disabledHiddenLinks = rule
      evaluator.load(try Network(g))
      for w in [-2.0, -0.5, 1.0, 2.0] {
        let reference = Self.originalExpression(g, inputs: inputs, weight: w, hiddenBlockRule: rule == .active)
        #expect(g.activeConnectionCount == reference.connections)
        for (i, x) in inputs.enumerated() { evaluator.setInput(i, x) }
        evaluator.forward(weight: w)
        for o in 0..<2 {
          let got = evaluator.output(o), want = reference.outputs[o]
          #expect(abs(got - want) <= 1e-9 * max(1, abs(want)), "output \(o) at w = \(w): \(got) vs \(want)")
        }
      }
    }
  }

  /// The rule changes what is evaluated and counted, never what mutation sees.
  @Test func ruleKeepsGenesAndChangesOnlyTheExpression() throws {
    let g = try #require(Self.grownGenomes(count: 12).first(where: Self.hasDisabledHiddenLink))
    var original = g
    original.disabledHiddenLinks = .active
    #expect(original.connections == g.connections)
    #expect(original.activeConnectionCount > g.activeConnectionCount)
    #expect(original.activeConnections.count == original.activeConnectionCount)
    #expect(g.activeConnections.allSatisfy { $0.isEnabled })
    // Encoded as JSON, the rule survives; a default genome's JSON does not mention it.
    let decoded = try JSONDecoder().decode(Genome.self, from: JSONEncoder().encode(original))
    #expect(decoded == original)
    #expect(!String(decoding: try JSONEncoder().encode(g), as: UTF8.self).contains("disabledHiddenLinks"))
  }

  /// Mutation under the original's rule makes exactly the children it makes without it (the
  /// same operators, the paper's layer rule for new links), from the same random stream.
  @Test func mutationIgnoresTheRule() {
    let originalSpace = SearchSpace(disabledHiddenLinks: .active)
    for (k, g) in Self.grownGenomes(count: 12).enumerated() {
      for step in 0..<20 {
        var a = RandomStream(seed: UInt64(100 * k + step), purpose: .mutation), b = a
        var recordA = InnovationRecord(nextNodeID: 1000, nextInnovation: 1000), recordB = recordA
        var mutation = MutationConfig()
        mutation.addConnection = 0.6
        let (childA, originA) = g.mutated(
          mutation, hiddenActivations: Activation.originalControlSet, space: .feedForward,
          record: &recordA, using: &a)
        var ruled = g
        ruled.disabledHiddenLinks = .active
        let (childB, originB) = ruled.mutated(
          mutation, hiddenActivations: Activation.originalControlSet, space: originalSpace,
          record: &recordB, using: &b)
        #expect(originA == originB && childA.nodes == childB.nodes && childA.connections == childB.connections)
        #expect(childB.invariantViolation(in: originalSpace) == nil)
      }
    }
  }

  /// The search gives every genome its config's rule, children inherit it, and the connection
  /// objective counts what the rule expresses.
  @Test func searchCarriesTheConfigsRule() throws {
    var config = SearchConfig()
    config.population.size = 12
    config.searchSpace.disabledHiddenLinks = .active
    let evolution = Evolution(
      config: config, inputs: 3, outputs: 2, defaultHiddenActivations: Activation.originalControlSet)
    #expect(evolution.population.allSatisfy { $0.genome.disabledHiddenLinks == .active })
    var rng = RandomStream(seed: 3, purpose: .mutation)
    var record = Genome.initialRecord(inputs: 3, outputs: 2)
    let (child, _) = evolution.population[0].genome.mutated(
      config.mutation, hiddenActivations: Activation.originalControlSet, record: &record, using: &rng)
    #expect(child.disabledHiddenLinks == .active)
    let text = config.tomlText
    #expect(text.contains("disabledHiddenLinks = \"active\""))
    #expect(try SearchConfig(toml: text) == config)
  }
}
