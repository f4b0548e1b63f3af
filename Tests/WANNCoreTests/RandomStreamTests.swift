import Testing
@testable import WANNCore

@Suite struct RandomStreamTests {
  @Test func sameKeySameNumbers() {
    var a = RandomStream(seed: 7, purpose: .mutation, generation: 3, genome: 11, rollout: 2)
    var b = RandomStream(seed: 7, purpose: .mutation, generation: 3, genome: 11, rollout: 2)
    for _ in 0..<100 { #expect(a.next() == b.next()) }
  }

  @Test func everyKeyComponentChangesTheStream() {
    let base = RandomStream(seed: 7, purpose: .mutation, generation: 3, genome: 11, rollout: 2)
    let variants = [
      RandomStream(seed: 8, purpose: .mutation, generation: 3, genome: 11, rollout: 2),
      RandomStream(seed: 7, purpose: .selection, generation: 3, genome: 11, rollout: 2),
      RandomStream(seed: 7, purpose: .mutation, generation: 4, genome: 11, rollout: 2),
      RandomStream(seed: 7, purpose: .mutation, generation: 3, genome: 12, rollout: 2),
      RandomStream(seed: 7, purpose: .mutation, generation: 3, genome: 11, rollout: 3),
    ]
    var b = base
    let first = b.next()
    for var v in variants { #expect(v.next() != first) }
  }

  @Test func uniformIntIsInRangeAndRoughlyUniform() {
    var rng = RandomStream(seed: 1, purpose: .benchmark)
    var counts = [Int](repeating: 0, count: 7)
    let n = 70_000
    for _ in 0..<n { counts[rng.uniformInt(below: 7)] += 1 }
    // Each count ~ Binomial(n, 1/7): sd ~ 93; allow 6 sd.
    for c in counts { #expect(abs(c - n / 7) < 560, "counts \(counts)") }
  }

  @Test func uniformAndGaussianMoments() {
    var rng = RandomStream(seed: 2, purpose: .benchmark)
    let n = 100_000
    var u = [Double](), g = [Double]()
    for _ in 0..<n { u.append(rng.uniform()); g.append(rng.gaussian()) }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(abs(Statistics.mean(u) - 0.5) < 0.005)
    #expect(abs(Statistics.mean(g)) < 0.02)
    #expect(abs(Statistics.standardDeviation(g) - 1) < 0.02)
  }

  @Test func shuffleIsAPermutation() {
    var rng = RandomStream(seed: 3, purpose: .benchmark)
    var a = Array(0..<50)
    rng.shuffle(&a)
    #expect(a.sorted() == Array(0..<50))
    #expect(a != Array(0..<50))
  }
}
