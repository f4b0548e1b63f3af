import Testing

@testable import WANNCore

@Suite struct NoveltyTests {
  /// Distances 0 (genomes 0 and 3, the same profile), 5 and 10 (a 3-4-5 triangle, doubled).
  static let profiles: [[Double]] = [[0, 0], [3, 4], [6, 8], [0, 0]]

  @Test func noveltyIsTheMeanDistanceToTheNearestProfiles() {
    #expect(Novelty.scores(Self.profiles, neighbours: 1) == [0, 5, 5, 0])
    #expect(Novelty.scores(Self.profiles, neighbours: 2) == [2.5, 5, 7.5, 2.5])
    // More neighbours than other genomes: all of them.
    #expect(Novelty.scores(Self.profiles, neighbours: 3) == [5, 5, 25.0 / 3, 5])
    #expect(Novelty.scores(Self.profiles, neighbours: 50) == Novelty.scores(Self.profiles, neighbours: 3))
  }

  @Test func aLoneGenomeAndABrokenRolloutEarnNoNovelty() {
    #expect(Novelty.scores([[1, 2, 3]], neighbours: 15) == [0])
    #expect(Novelty.scores([], neighbours: 15) == [])
    let broken = Novelty.scores([[0, 0], [.nan, 1], [3, 4]], neighbours: 2)
    #expect(broken == [2.5, 0, 2.5])
  }

  /// A genome's score depends on the set of others, not on where they stand in the list.
  @Test func orderOfTheOthersDoesNotMatter() {
    var profiles: [[Double]] = []
    var rng = RandomStream(seed: 5, purpose: .ranking, generation: 0)
    for _ in 0..<30 { profiles.append((0..<6).map { _ in rng.uniform() * 100 }) }
    let a = Novelty.scores(profiles, neighbours: 7)
    let b = Novelty.scores(profiles.reversed(), neighbours: 7)
    #expect(a == b.reversed())
  }

  /// With novelty on every generation, a generation ranks on (mean, novelty): among genomes of
  /// equal mean reward, the one whose weight profile stands apart is ranked first.
  @Test func noveltyGenerationsRankTheOutlierFirstAmongEqualMeans() {
    var c = EvolutionTests.config(12)
    c.ranking.noveltyProbability = 1
    c.ranking.noveltyNeighbours = 3
    var evo = Evolution(config: c, inputs: 2, outputs: 1, defaultHiddenActivations: [.tanh])
    var m = RewardMatrix(genomes: 12, repetitions: 1, weights: 2)
    for g in 0..<12 {
      // Every genome's mean is exactly 10; genome 7 gets it from (20, 0), the others from points
      // near (10, 10) (multiples of 1/4, so every sum is exact and the means tie).
      let spread = g == 7 ? 10.0 : Double(g) * 0.25
      m[genome: g, repetition: 0, weight: 0] = 10 + spread
      m[genome: g, repetition: 0, weight: 1] = 10 - spread
    }
    let a = evo.tell(m)
    #expect(a.rankedOnNovelty && !a.rankedOnConnections)
    #expect(a.rank[7] == 0)
  }

  /// The draw: about noveltyProbability of generations rank on novelty, and with it off a run
  /// draws exactly what it drew before the key existed (the novelty draw is not made).
  @Test func noveltySwitchFollowsItsProbabilityAndOffChangesNothing() {
    var c = EvolutionTests.config(10)
    c.ranking.noveltyProbability = 0.3
    var onNovelty = 0
    for g in 0..<400 {
      c.seed = UInt64(g)
      var evo = Evolution(config: c, inputs: 2, outputs: 1, defaultHiddenActivations: [.tanh])
      let a = evo.tell(EvolutionTests.rewards(evo.genomes, c))
      if a.rankedOnNovelty { onNovelty += 1 }
      #expect(!(a.rankedOnNovelty && a.rankedOnConnections))
    }
    #expect(abs(Double(onNovelty) / 400 - 0.3) < 0.07)
    var off = EvolutionTests.config()
    off.ranking.noveltyNeighbours = 3  // without novelty on, the neighbours key changes nothing
    #expect(EvolutionTests.population(after: 6, off) == EvolutionTests.population(after: 6, EvolutionTests.config()))
    var on = EvolutionTests.config()
    on.ranking.noveltyProbability = 0.5
    #expect(EvolutionTests.population(after: 6, on) != EvolutionTests.population(after: 6, EvolutionTests.config()))
  }
}
