import Foundation
import Testing
@testable import WANNCore

@Suite struct NetworkTests {
  /// bias(0), in1(1), in2(2) -> out(3); hidden 4 (tanh) and 5 (gaussian):
  /// 1 -> 4, 2 -> 4, 4 -> 3, 0 -> 5, 5 -> 3, and a disabled 1 -> 3.
  static func handmade() -> Genome {
    var g = Genome.bare(inputs: 2, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(4), kind: .hidden, activation: .tanh))
    g.nodes.append(NodeGene(id: NodeID(5), kind: .hidden, activation: .gaussian))
    let links: [(Int32, Int32, Bool)] = [
      (1, 4, true), (2, 4, true), (4, 3, true), (0, 5, true), (5, 3, true), (1, 3, false),
    ]
    for (i, l) in links.enumerated() {
      g.connections.append(
        ConnectionGene(innovation: Innovation(Int64(i)), source: NodeID(l.0), target: NodeID(l.1), isEnabled: l.2))
    }
    return g
  }

  @Test(arguments: [-2.0, -0.5, 1.0, 2.0])
  func outputMatchesClosedForm(_ w: Double) throws {
    let net = try Network(Self.handmade())
    var e = NetworkEvaluator()
    e.load(net)
    let (x1, x2) = (0.3, -0.7)
    e.setInput(0, x1)
    e.setInput(1, x2)
    e.forward(weight: w)
    let h4 = tanh(w * (x1 + x2)), h5 = exp(-(w * 1) * (w * 1) / 2)
    let expected = w * (h4 + h5)
    #expect(abs(e.output(0) - expected) < 1e-12)
  }

  @Test func nodeWithoutInputsEvaluatesActivationOfZero() throws {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(3), kind: .hidden, activation: .cosine))
    g.connections.append(ConnectionGene(innovation: Innovation(0), source: NodeID(3), target: NodeID(2)))
    var e = NetworkEvaluator()
    e.load(try Network(g))
    e.setInput(0, 5)
    e.forward(weight: 2)
    #expect(e.output(0) == 2 * cos(0))
  }

  @Test func evaluatorReusesBuffersAcrossNetworksOfDifferentSizes() throws {
    var e = NetworkEvaluator()
    let small = try Network(Genome.bare(inputs: 1, outputs: 1))
    let big = try Network(Self.handmade())
    for _ in 0..<3 {
      e.load(big)
      e.setInput(0, 0.3); e.setInput(1, -0.7)
      e.forward(weight: 1)
      let a = e.output(0)
      e.load(small)
      e.forward(weight: 1)
      #expect(e.output(0) == 0)
      e.load(big)
      e.setInput(0, 0.3); e.setInput(1, -0.7)
      e.forward(weight: 1)
      #expect(e.output(0) == a)
    }
  }

  @Test func cycleIsRejected() {
    var g = Genome.bare(inputs: 1, outputs: 1)
    g.nodes.append(NodeGene(id: NodeID(3), kind: .hidden, activation: .tanh))
    g.nodes.append(NodeGene(id: NodeID(4), kind: .hidden, activation: .tanh))
    g.connections = [
      ConnectionGene(innovation: Innovation(0), source: NodeID(3), target: NodeID(4)),
      ConnectionGene(innovation: Innovation(1), source: NodeID(4), target: NodeID(3)),
    ]
    #expect(throws: Network.CompileError.cycle) { try Network(g) }
    #expect(!g.isFeedForward)
  }
}
