import Testing
@testable import WANNCore

@Suite struct WeightModeTests {
  static func draws(_ mode: WeightMode, condition: Int = 0, n: Int = 50_000, seed: UInt64 = 1) -> [Double] {
    var rng = WeightMode.stream(seed: seed, generation: 0, repetition: 0, condition: condition)
    return (0..<n).map { _ in mode.drawConnectionWeight(condition: condition, using: &rng) }
  }

  @Test func uniformPerConnectionWeightsHaveTheRightMoments() {
    let d = Self.draws(.perConnectionRandom(low: -2, high: 2, draws: 6))
    #expect(d.allSatisfy { $0 >= -2 && $0 < 2 })
    #expect(abs(Statistics.mean(d)) < 0.03)  // sd of the mean: 1.155 / sqrt(50000) = 0.005
    let variance = Statistics.standardDeviation(d) * Statistics.standardDeviation(d)
    #expect(abs(variance - 16.0 / 12) < 0.03)
  }

  @Test func gaussianNoiseIsCentredOnTheConditionsValue() {
    let mode = WeightMode.gaussianNoise([-2, 0.5, 1], sigma: 0.25)
    let d = Self.draws(mode, condition: 1)
    #expect(abs(Statistics.mean(d) - 0.5) < 0.01)
    #expect(abs(Statistics.standardDeviation(d) - 0.25) < 0.005)
    #expect(mode.conditionCount == 3 && mode.nominalValues == [-2, 0.5, 1] && mode.sharedWeight(condition: 0) == nil)
  }

  @Test func drawsAreDeterministicPerKeyAndDifferAcrossKeys() {
    let mode = WeightMode.perConnectionRandom(low: -2, high: 2, draws: 3)
    #expect(Self.draws(mode, n: 20) == Self.draws(mode, n: 20))
    #expect(Self.draws(mode, condition: 1, n: 20) != Self.draws(mode, condition: 0, n: 20))
    #expect(Self.draws(mode, n: 20, seed: 2) != Self.draws(mode, n: 20))
  }

  @Test func sharedModesNeedNoDraws() {
    #expect(WeightMode.singleFixed(0.7).sharedWeight(condition: 0) == 0.7)
    #expect(WeightMode.singleFixed(0.7).conditionCount == 1)
    #expect(WeightMode.sharedSeries([-1, 1]).sharedWeight(condition: 1) == 1)
  }

  /// in1, in2 -> out with individual weights: out = w1 x1 + w2 x2; all weights equal to w
  /// reproduce the shared-weight network.
  @Test func connectionWeightsEnterEachLinkSeparately() throws {
    var g = Genome.bare(inputs: 2, outputs: 1)
    g.connections = [
      ConnectionGene(innovation: Innovation(0), source: NodeID(1), target: NodeID(3)),
      ConnectionGene(innovation: Innovation(1), source: NodeID(2), target: NodeID(3)),
    ]
    var e = NetworkEvaluator()
    e.load(try Network(g))
    #expect(e.connectionCount == 2)
    e.setInput(0, 0.5)
    e.setInput(1, -2)
    let w = [1.5, -0.25]
    e.setConnectionWeights { w[$0] }
    e.forward(weight: .nan)
    #expect(e.output(0) == 1.5 * 0.5 + -0.25 * -2)
    e.setConnectionWeights { _ in 0.7 }
    e.forward(weight: .nan)
    let perConnection = e.output(0)
    e.useSharedWeight()
    e.forward(weight: 0.7)
    #expect(abs(e.output(0) - perConnection) < 1e-15)
  }
}
