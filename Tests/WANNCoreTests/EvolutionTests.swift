import Testing
@testable import WANNCore

@Suite struct EvolutionTests {
  static func config(_ size: Int = 40) -> SearchConfig {
    var c = SearchConfig.defaults(for: .swingup)
    c.population.size = size
    c.seed = 3
    return c
  }

  /// A fake task: reward = number of enabled connections + hidden nodes (per rollout), so
  /// selection has something to climb.
  static func rewards(_ genomes: [Genome], _ c: SearchConfig) -> RewardMatrix {
    var m = RewardMatrix(
      genomes: genomes.count, repetitions: c.evaluation.repetitions, weights: c.evaluation.weights.count)
    for (g, genome) in genomes.enumerated() {
      for r in 0..<m.repetitions {
        for w in 0..<m.weights {
          m[genome: g, repetition: r, weight: w] =
            Double(genome.activeConnectionCount + 2 * genome.hiddenCount) + Double(w)
        }
      }
    }
    return m
  }

  @Test func generationKeepsSizeElitesAndLineage() {
    let c = Self.config()
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    #expect(c.cullCount == 8 && c.eliteCount == 6)  // floor(0.2*40), floor(0.2*32)
    for _ in 0..<10 {
      let a = evo.tell(Self.rewards(evo.genomes, c))
      let ranked = evo.population.indices.sorted { a.rank[$0] < a.rank[$1] }
      let previous = evo.population
      evo.advance()
      #expect(evo.population.count == c.population.size)
      let elites = evo.population.filter { $0.origin == .elite }
      #expect(elites.count == c.eliteCount)
      #expect(elites.map { $0.parent! } == Array(ranked.prefix(c.eliteCount)))
      for e in elites { #expect(e.genome == previous[e.parent!].genome) }
      // Parents come from the breeding pool (the culled genomes never breed).
      let pool = Set(ranked.prefix(c.population.size - c.cullCount))
      for child in evo.population { #expect(pool.contains(child.parent!)) }
      for child in evo.population { #expect(child.genome.invariantViolation() == nil) }
    }
    #expect(evo.generation == 10)
  }

  @Test func sameSeedSameRunDifferentSeedDifferentRun() {
    func run(_ seed: UInt64) -> [Genome] {
      var c = Self.config()
      c.seed = seed
      var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
      for _ in 0..<8 {
        evo.tell(Self.rewards(evo.genomes, c))
        evo.advance()
      }
      return evo.genomes
    }
    #expect(run(1) == run(1))
    #expect(run(1) != run(2))
  }

  @Test func selectionClimbsTheFakeReward() {
    let c = Self.config()
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    let first = evo.tell(Self.rewards(evo.genomes, c)).meanReward.max()!
    for _ in 0..<30 {
      evo.advance()
      evo.tell(Self.rewards(evo.genomes, c))
    }
    #expect(evo.assessment!.meanReward.max()! > first + 5)
  }

  @Test func championNeedsABetterRetest() {
    let c = Self.config()
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    evo.tell(Self.rewards(evo.genomes, c))
    let candidate = evo.championCandidate!
    let first = evo.offerChampion(index: candidate, retestMean: 10)
    let worse = evo.offerChampion(index: candidate, retestMean: 9)  // a failed re-test changes nothing
    #expect(first && !worse)
    #expect(evo.champion!.retestMean == 10)
    let better = evo.offerChampion(index: candidate, retestMean: 11)
    #expect(better && evo.champion!.retestMean == 11)
  }

  @Test func rankingSwitchFollowsProbability() {
    var c = Self.config(10)
    var onConnections = 0
    for g in 0..<400 {
      c.seed = UInt64(g)
      var evo = Evolution(config: c, inputs: 2, outputs: 1, defaultHiddenActivations: [.tanh])
      if evo.tell(Self.rewards(evo.genomes, c)).rankedOnConnections { onConnections += 1 }
    }
    #expect(abs(Double(onConnections) / 400 - 0.8) < 0.07)
  }

  /// betterOfTwo draws every child's first tournament, then every child's second, and keeps the
  /// better winner (the original's parentA/parentB); oneTournament is one tournament per child.
  @Test func betterOfTwoIsTheBetterOfTwoTournamentsDrawnAsTheOriginal() {
    var a = RandomStream(seed: 3, purpose: .selection, generation: 1)
    var b = a
    let winners = Evolution.tournamentWinners(count: 50, poolSize: 40, size: 4, rule: .betterOfTwo, using: &a)
    let first = Evolution.tournamentWinners(count: 50, poolSize: 40, size: 4, rule: .oneTournament, using: &b)
    let second = Evolution.tournamentWinners(count: 50, poolSize: 40, size: 4, rule: .oneTournament, using: &b)
    #expect(winners == zip(first, second).map { min($0, $1) })
    // Twice the entrants: stronger selection on average.
    #expect(winners.reduce(0, +) < first.reduce(0, +))
  }

  @Test func islandsSplitThePopulationIntoNearlyEqualBlocks() {
    #expect(Islands(populationSize: 60, count: 3).ranges == [0..<20, 20..<40, 40..<60])
    #expect(Islands(populationSize: 10, count: 4).ranges == [0..<2, 2..<5, 5..<7, 7..<10])
    #expect(Islands(populationSize: 10, count: 1).ranges == [0..<10])
    let i = Islands(populationSize: 10, count: 4)
    #expect((0..<10).map(i.island(of:)) == [0, 0, 1, 1, 1, 2, 2, 3, 3, 3])
    #expect((0..<4).map(i.source(of:)) == [3, 0, 1, 2])
    #expect(i.migrate(breeding: 8, interval: 4) && !i.migrate(breeding: 9, interval: 4))
    #expect(!i.migrate(breeding: 8, interval: 0))
    #expect(!Islands(populationSize: 10, count: 1).migrate(breeding: 8, interval: 4))
  }

  /// Each island is ranked and bred alone; every `migrationInterval` generations its last places
  /// go to the previous island's best, copied unchanged.
  @Test func islandsBreedApartAndTradeTheirBestAlongARing() throws {
    var c = Self.config(60)
    c.population.islands = 3
    c.population.migrationInterval = 4
    c.population.migrants = 2
    try c.validate()
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    let islands = evo.islands
    var migrations = 0
    for _ in 0..<12 {
      let a = evo.tell(Self.rewards(evo.genomes, c))
      for r in islands.ranges { #expect(Set(r.map { a.rank[$0] }) == Set(0..<r.count)) }
      let previous = evo.population
      let orders = islands.ranges.map { r in r.sorted { a.rank[$0] < a.rank[$1] } }
      #expect(evo.eliteIndices == orders.flatMap { $0.prefix(c.eliteCount(of: 20)) })
      evo.advance()
      let migrating = evo.generation % 4 == 0
      if migrating { migrations += 1 }
      for (i, r) in islands.ranges.enumerated() {
        let arrivals = migrating ? Array(r.suffix(2)) : []
        for child in r where !arrivals.contains(child) {
          #expect(islands.island(of: evo.population[child].parent!) == i)
        }
        #expect(arrivals.map { evo.population[$0].parent! } == Array(orders[(i + 2) % 3].prefix(arrivals.count)))
        for child in arrivals {
          let arrival = evo.population[child]
          #expect(arrival.origin == .elite && arrival.genome == previous[arrival.parent!].genome)
        }
      }
    }
    #expect(migrations == 3)
  }

  /// With one island the migration keys change nothing: the run is the paper's.
  @Test func oneIslandIsThePlainSearch() {
    var c = Self.config()
    c.population.migrationInterval = 1
    c.population.migrants = 5
    #expect(Self.population(after: 6, c) == Self.population(after: 6, Self.config()))
  }

  /// The population after `generations` generations on the fake reward.
  static func population(after generations: Int, _ c: SearchConfig) -> [Individual] {
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    for _ in 0..<generations {
      evo.tell(rewards(evo.genomes, c))
      evo.advance()
    }
    return evo.population
  }

  @Test func islandSettingsThatLeaveAnIslandNothingAreRefused() {
    var c = Self.config(40)
    c.population.islands = 21
    #expect(throws: ConfigError.self) { try c.validate() }
    c.population.islands = 4
    let children = 10 - c.eliteCount(of: 10)
    c.population.migrants = children + 1
    #expect(throws: ConfigError.self) { try c.validate() }
    c.population.migrants = children
    #expect(throws: Never.self) { try c.validate() }
  }
}
