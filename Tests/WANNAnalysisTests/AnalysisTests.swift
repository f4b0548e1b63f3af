import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing
@testable import WANNAnalysis
import WANNCore
import WANNTasks

/// A swing-up genome with hidden nodes: bias, 5 inputs, force; x -> tanh -> force,
/// sin θ -> gaussian -> force, cos θ -> force, and a disabled θ_dot -> force.
func swingGenome(recurrent: Bool = false) -> Genome {
  var g = Genome.bare(inputs: 5, outputs: 1)
  g.nodes.append(NodeGene(id: NodeID(7), kind: .hidden, activation: .tanh))
  g.nodes.append(NodeGene(id: NodeID(8), kind: .hidden, activation: .gaussian))
  let links: [(Int32, Int32, Bool)] = [
    (1, 7, true), (7, 6, true), (4, 8, true), (8, 6, true), (3, 6, true), (5, 6, false), (0, 8, true),
  ]
  for (i, l) in links.enumerated() {
    g.connections.append(
      ConnectionGene(innovation: Innovation(Int64(i)), source: NodeID(l.0), target: NodeID(l.1), isEnabled: l.2))
  }
  if recurrent {
    g.connections.append(
      ConnectionGene(innovation: Innovation(20), source: NodeID(6), target: NodeID(7), isRecurrent: true))
  }
  return g
}

@Suite struct SeparableCMAESTests {
  /// Minimises an ill-conditioned ellipsoid, sum 10^(i/(n-1)·3) x_i², from x = 1: the diagonal
  /// covariance must learn the scales for this to converge in the budget.
  @Test func minimisesAnEllipsoid() {
    let n = 10
    func f(_ x: [Double]) -> Double {
      x.indices.reduce(0) { $0 + pow(10, 3 * Double($1) / Double(n - 1)) * x[$1] * x[$1] }
    }
    var es = SeparableCMAES(mean: [Double](repeating: 1, count: n), sigma: 0.5, seed: 3)
    let start = f(es.mean)
    for _ in 0..<600 { let c = es.ask(); es.tell(c.map(f)) }
    #expect(start > 100)
    #expect(f(es.mean) < 1e-8)
    // It learned the scales: the stiffest coordinate's variance is the smallest.
    #expect(es.variances[n - 1] < es.variances[0])
  }

  @Test func isDeterministicPerSeedAndDiffersAcrossSeeds() {
    func run(_ seed: UInt64) -> [Double] {
      var es = SeparableCMAES(mean: [0.5, -0.5, 2], sigma: 0.3, seed: seed)
      for _ in 0..<20 { let c = es.ask(); es.tell(c.map { $0.reduce(0) { $0 + $1 * $1 } }) }
      return es.mean
    }
    #expect(run(1) == run(1))
    #expect(run(1) != run(2))
  }
}

@Suite struct ConnectionOrderTests {
  /// Individual weights are matched to genes through `connectionInnovations`: zeroing one gene's
  /// weight must equal the network without that gene.
  @Test(arguments: [0, 1, 2, 3, 4, 6, 20])
  func zeroingAGeneEqualsRemovingIt(_ innovation: Int64) throws {
    let g = swingGenome(recurrent: true)
    let net = try Network(g)
    #expect(
      Set(net.connectionInnovations.map(\.rawValue))
        == Set(g.connections.filter(\.isEnabled).map(\.innovation.rawValue)))
    var without = g
    let k = without.connections.firstIndex { $0.innovation.rawValue == innovation }!
    without.connections[k].isEnabled = false
    var a = NetworkEvaluator(), b = NetworkEvaluator()
    a.load(net)
    b.load(try Network(without))
    let w = 0.7
    a.setConnectionWeights { net.connectionInnovations[$0].rawValue == innovation ? 0 : w }
    for step in 0..<5 {
      for i in 0..<5 {
        let x = Double(i + step) * 0.3 - 0.5
        a.setInput(i, x)
        b.setInput(i, x)
      }
      a.forward(weight: .nan)
      b.forward(weight: w)
      #expect(abs(a.output(0) - b.output(0)) < 1e-12)
    }
  }
}

@Suite struct MemoryAblationTests {
  /// The swing-up genome with two recurrent links: force -> tanh (7) and a self-loop on the
  /// gaussian (8).
  func twoLoops() -> Genome {
    var g = swingGenome(recurrent: true)
    g.connections.append(
      ConnectionGene(innovation: Innovation(21), source: NodeID(8), target: NodeID(8), isRecurrent: true))
    return g
  }

  @Test func cuttingRemovesOnlyTheNamedRecurrentGenes() {
    var g = twoLoops()
    // Innovation 0 is feed-forward: naming it cuts nothing.
    let cut = MemoryAblation.cutting([Innovation(21), Innovation(0)], from: g)
    #expect(cut.connections.map(\.innovation) == g.connections.map(\.innovation).filter { $0 != Innovation(21) })
    #expect(cut.nodes == g.nodes)
    #expect(MemoryAblation.cutting([], from: g) == g)
    // A disabled self-loop on a hidden node is expressed under the `active` rule: it counts as a
    // link, and cutting it takes it out of the network.
    g.disabledHiddenLinks = .active
    g.connections[g.connections.count - 1].isEnabled = false
    #expect(g.activeConnections.contains { $0.innovation == Innovation(21) })
    #expect(
      !MemoryAblation.cutting([Innovation(21)], from: g).activeConnections.contains { $0.innovation == Innovation(21) })
  }

  @Test func variantsAreTheCutNetworksOnTheSameEpisodes() throws {
    let g = twoLoops()
    let task = SwingUpTask()
    let settings = MemoryAblation.Settings(weights: [-1, 0.5, 2], trials: 3, seed: 4)
    let m = try MemoryAblation.measure(g, task: task, settings: settings, evaluator: ParallelEvaluator(threads: 2))
    #expect(m.links.map(\.innovation) == [Innovation(20), Innovation(21)])
    #expect(m.intact.cut.isEmpty && m.allCut?.cut == [Innovation(20), Innovation(21)])
    #expect(m.single.map(\.cut) == [[Innovation(20)], [Innovation(21)]])
    // Each variant's scores are those of its cut genome evaluated on its own, weight by weight.
    func direct(_ genome: Genome) throws -> [Double] {
      let profile = WeightProfile.measure(
        try Network(genome), task: task,
        settings: .init(weights: settings.weights, trials: settings.trials, seed: settings.seed),
        evaluator: ParallelEvaluator(threads: 1))
      return profile.mean
    }
    #expect(m.intact.weightMeans == (try direct(g)))
    #expect(m.allCut?.weightMeans == (try direct(MemoryAblation.cutting([Innovation(20), Innovation(21)], from: g))))
    #expect(m.single[1].weightMeans == (try direct(MemoryAblation.cutting([Innovation(21)], from: g))))
    // The force fed back into the tanh steers the cart: cutting it changes the reward.
    #expect(m.single[0].weightMeans != m.intact.weightMeans)
    #expect(
      m.intact.best == m.intact.weightMeans.max() && m.intact.weightMeans[m.intact.bestWeightIndex] == m.intact.best)
  }

  @Test func aNetworkWithoutRecurrentLinksHasNoVariants() throws {
    let m = try MemoryAblation.measure(
      swingGenome(), task: SwingUpTask(), settings: .init(weights: [1], trials: 2, seed: 1),
      evaluator: ParallelEvaluator(threads: 1))
    #expect(m.links.isEmpty && m.allCut == nil && m.single.isEmpty)
    // One link: cutting it alone is cutting them all, scored once.
    let one = try MemoryAblation.measure(
      swingGenome(recurrent: true), task: SwingUpTask(),
      settings: .init(weights: [1], trials: 2, seed: 1), evaluator: ParallelEvaluator(threads: 1))
    #expect(one.single == [one.allCut!])
  }
}

@Suite struct WeightProfileTests {
  @Test func statisticsMatchClosedForm() {
    // Two trials, two weights: [trial][weight] = [[1, 10], [3, 10]].
    let p = WeightProfile(settings: .init(weights: [-1, 1], trials: 2, seed: 0), rewards: [1, 10, 3, 10])
    #expect(p.mean == [2, 10])
    #expect(abs(p.std[0] - 2.0.squareRoot()) < 1e-12)
    #expect(p.std[1] == 0)
    // t(0.975, 1 df) = 12.706; half width = t · s / sqrt(n) = 12.706.
    #expect(abs(p.ciHalfWidth[0] - 12.706) < 1e-3)
    #expect(p.bestWeightIndex == 1)
  }

  @Test func isDeterministicPerSeedForAnyThreadCount() throws {
    let net = try Network(swingGenome())
    let task = SwingUpTask()
    let settings = WeightProfile.Settings(weights: [-2, -0.5, 0.5, 1.5], trials: 6, seed: 5)
    let one = WeightProfile.measure(net, task: task, settings: settings, evaluator: ParallelEvaluator(threads: 1))
    let two = WeightProfile.measure(net, task: task, settings: settings, evaluator: ParallelEvaluator(threads: 2))
    #expect(one == two)
    var other = settings
    other.seed = 6
    #expect(
      WeightProfile.measure(net, task: task, settings: other, evaluator: ParallelEvaluator(threads: 2)).rewards
        != one.rewards)
    // The same episodes as `wann evaluate`: trial t at weight j is one rollout with stream (seed, evaluation, t).
    var e = NetworkEvaluator()
    e.load(net)
    var rng = EpisodeKey(seed: 5, purpose: .evaluation).stream(repetition: 3)
    let direct = task.rollout(&e, weight: 0.5, rng: &rng).reward
    #expect(one.rewards[3 * 4 + 2] == direct)
  }
}

@Suite struct WeightConditionsTests {
  static let small = WeightConditions.Settings(
    trials: 6, seed: 2, sharedGrid: [-2, -1, -0.5, 0.5, 1, 2], budget: 240,
    episodesPerCandidate: 2, initialSigma: 0.2)

  @Test func isDeterministicPerSeedForAnyThreadCount() throws {
    let net = try Network(swingGenome())
    let a = try WeightConditions.measure(
      net, task: SwingUpTask(), settings: Self.small, evaluator: ParallelEvaluator(threads: 1))
    let b = try WeightConditions.measure(
      net, task: SwingUpTask(), settings: Self.small, evaluator: ParallelEvaluator(threads: 2))
    #expect(a.conditions == b.conditions)
    #expect(a.tunedWeights == b.tunedWeights)
    #expect(a.tuning == b.tuning)
    var other = Self.small
    other.seed = 3
    let c = try WeightConditions.measure(
      net, task: SwingUpTask(), settings: other, evaluator: ParallelEvaluator(threads: 2))
    #expect(c.conditions.map(\.rewards) != a.conditions.map(\.rewards))
  }

  @Test func reportsTheFourConditionsConsistently() throws {
    let net = try Network(swingGenome())
    let task = SwingUpTask()
    let r = try WeightConditions.measure(
      net, task: task, settings: Self.small, evaluator: ParallelEvaluator(threads: 2))
    #expect(
      r.conditions.map(\.key) == ["random_weights", "random_shared_weight", "tuned_shared_weight", "tuned_weights"])
    #expect(r.conditions.allSatisfy { $0.rewards.count == 6 })
    // The tuned shared weight is the grid's best on the tuning episodes...
    #expect(
      r.tunedSharedWeight
        == Self.small.sharedGrid[r.sharedGridMeans.indices.max { r.sharedGridMeans[$0] < r.sharedGridMeans[$1] }!])
    // ...and its test rewards are plain rollouts at that weight on the test episodes.
    var e = NetworkEvaluator()
    e.load(net)
    for t in 0..<6 {
      var rng = EpisodeKey(seed: 2, purpose: .evaluation).stream(repetition: t)
      #expect(r.conditions[2].rewards[t] == task.rollout(&e, weight: r.tunedSharedWeight, rng: &rng).reward)
    }
    // 6 enabled connections: λ = 4 + floor(3 ln 6) = 9 candidates x 2 episodes = 18 rollouts per
    // generation; a budget of 240 allows 13 whole generations (234 rollouts).
    #expect(r.tuning.count == 13)
    #expect(r.tuning.last?.rollouts == 234)
    #expect(r.tunedWeights.count == 6)
    #expect(r.tunedWeights != [Double](repeating: r.tunedSharedWeight, count: 6))
  }

  @Test func tooSmallABudgetIsAClearError() throws {
    var s = Self.small
    s.budget = 10
    #expect {
      try WeightConditions.measure(
        try Network(swingGenome()), task: SwingUpTask(), settings: s, evaluator: ParallelEvaluator(threads: 1))
    } throws: { "\($0)".contains("raise --budget") }
  }
}

/// Counts the `<g class="node ...">` and `<g class="edge ...">` elements of an SVG document.
final class SVGCounter: NSObject, XMLParserDelegate {
  var nodes = 0, edges = 0, recurrent = 0
  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    guard name == "g", let cls = attributes["class"]?.split(separator: " ") else { return }
    if cls.first == "node" { nodes += 1 }
    if cls.first == "edge" { edges += 1 }
    if cls.contains("recurrent") { recurrent += 1 }
  }
}

@Suite struct NetworkDrawingTests {
  @Test func svgParsesWithOneElementPerNodeAndEnabledConnection() throws {
    let g = swingGenome(recurrent: true)
    let d = NetworkDrawing(g, inputLabels: SwingUpTask().inputLabels, outputLabels: ["force"], title: "a <test> & more")
    let parser = XMLParser(data: Data(d.svg().utf8))
    let counter = SVGCounter()
    parser.delegate = counter
    #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
    #expect(counter.nodes == g.nodes.count)
    #expect(counter.edges == g.activeConnectionCount)
    #expect(counter.recurrent == 1)
    #expect(d.svg().contains(">x_dot<") || d.svg().contains(SwingUpTask().inputLabels[1]))
  }

  @Test func layoutPutsInputsLeftOutputsRightAndHiddenByDepth() {
    var g = swingGenome()
    // A second hidden layer: 7 -> 9 -> 6.
    g.nodes.append(NodeGene(id: NodeID(9), kind: .hidden, activation: .sine))
    g.connections.append(ConnectionGene(innovation: Innovation(30), source: NodeID(7), target: NodeID(9)))
    g.connections.append(ConnectionGene(innovation: Innovation(31), source: NodeID(9), target: NodeID(6)))
    let d = NetworkDrawing(g, inputLabels: SwingUpTask().inputLabels, outputLabels: ["force"], title: "t")
    let column = Dictionary(uniqueKeysWithValues: d.nodes.map { ($0.id.rawValue, $0.column) })
    #expect((0...5).allSatisfy { column[Int32($0)] == 0 })
    #expect(column[7] == 1 && column[8] == 1 && column[9] == 2)
    #expect(column[6] == 3 && d.columnCount == 4)
    #expect(d.nodes.first { $0.id == NodeID(9) }?.label == "sin")
  }

  @Test func edgeNotesAreDrawnBesideTheirConnection() throws {
    let g = swingGenome(recurrent: true)
    var d = NetworkDrawing(g, inputLabels: SwingUpTask().inputLabels, outputLabels: ["force"], title: "t")
    d.edgeNotes[Innovation(20)] = "-0.25 <cut>"
    let svg = d.svg()
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.components(separatedBy: "class=\"note\"").count == 2)
    #expect(svg.contains(">-0.25 &lt;cut&gt;</text>"))
    #expect(d.dot().contains("label=\"-0.25 <cut>\""))
    // The midpoint of each path kind this drawing writes.
    #expect(NetworkDrawing.midpoint(of: "M 0 0 L 10 20")! == (5, 10))
    #expect(NetworkDrawing.midpoint(of: "M 0 0 Q 10 10 20 0")! == (10, 5))
    #expect(NetworkDrawing.midpoint(of: "M 0 0 C 0 8 8 8 8 0")! == (4, 6))
    #expect(NetworkDrawing.midpoint(of: "M 0 0") == nil)
  }

  @Test func dotHasOneStatementPerNodeAndEdge() {
    let g = swingGenome(recurrent: true)
    let dot = NetworkDrawing(g, inputLabels: SwingUpTask().inputLabels, outputLabels: ["force"], title: "t").dot()
    let lines = dot.split(separator: "\n")
    #expect(lines.filter { $0.contains(" -> ") }.count == g.activeConnectionCount)
    #expect(lines.filter { $0.contains("[label=") }.count == g.nodes.count)
    #expect(lines.filter { $0.contains("style=dashed") }.count == 1)
    #expect(dot.hasPrefix("digraph wann {") && dot.hasSuffix("}\n"))
  }
}
