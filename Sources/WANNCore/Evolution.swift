/// One member of a generation and how it came to be.
public struct Individual: Sendable, Codable, Equatable {
  public var genome: Genome
  public var origin: Origin
  /// Index of the parent in the previous generation (nil in generation 0).
  public var parent: Int?

  public init(genome: Genome, origin: Origin, parent: Int?) {
    self.genome = genome
    self.origin = origin
    self.parent = parent
  }
}

/// A generation's scores and ranking, computed by `Evolution.tell`.
public struct Assessment: Sendable, Equatable {
  public let generation: Int
  public let rewards: RewardMatrix
  public let meanReward: [Double]
  public let maxReward: [Double]
  public let connections: [Int]
  public let rank: [Int]
  public let front: [Int]
  /// True when this generation ranked on (mean, fewer connections); false for (mean, max) or
  /// (mean, novelty).
  public let rankedOnConnections: Bool
  /// True when this generation ranked on (mean, novelty on the weight profile)
  /// (`ranking.noveltyProbability`).
  public var rankedOnNovelty = false

  /// Index of the genome with the highest mean reward (lowest index on ties).
  public var best: Int {
    meanReward.indices.max { a, b in
      let x = Ranking.sanitized(meanReward[a]), y = Ranking.sanitized(meanReward[b])
      return x != y ? x < y : a > b
    }!
  }
}

/// The best genome found so far, accepted only after it confirmed its score on fresh rollouts.
public struct Champion: Sendable, Codable, Equatable {
  public let genome: Genome
  public let generation: Int
  public let index: Int
  /// Mean reward on the generation's shared rollouts.
  public let searchMean: Double
  /// Mean reward over the re-test (`championRetests` repetitions of every weight value).
  public let retestMean: Double

  public init(genome: Genome, generation: Int, index: Int, searchMean: Double, retestMean: Double) {
    self.genome = genome
    self.generation = generation
    self.index = index
    self.searchMean = searchMean
    self.retestMean = retestMean
  }
}

/// The WANN search as a pure state machine, driven by whoever evaluates genomes:
/// `genomes` (ask), `tell(rewards)`, optionally `championCandidate` + `offerChampion`, then
/// `advance()` breeds the next generation. Every random choice comes from a stream keyed by
/// (seed, purpose, generation, child), so the result is independent of how evaluation is spread
/// over threads or processes.
public struct Evolution: Sendable {
  public let config: SearchConfig
  public let inputs: Int
  public let outputs: Int
  public let hiddenActivations: [Activation]
  public private(set) var generation = 0
  public private(set) var population: [Individual]
  public private(set) var record: InnovationRecord
  public private(set) var champion: Champion?
  public private(set) var assessment: Assessment?
  /// The species the current generation is sorted into (`speciation.enabled`), nil when off.
  public private(set) var speciesState: SpeciesState?
  /// This generation's species, after `tell` (nil when speciation is off or before `tell`).
  public private(set) var species: SpeciesAssignment?

  public init(config: SearchConfig, inputs: Int, outputs: Int, defaultHiddenActivations: [Activation]) {
    self.config = config
    self.inputs = inputs
    self.outputs = outputs
    self.hiddenActivations = config.mutation.hiddenActivations ?? defaultHiddenActivations
    record = Genome.initialRecord(inputs: inputs, outputs: outputs)
    population = (0..<config.population.size).map { i in
      var rng = RandomStream(seed: config.seed, purpose: .initialPopulation, genome: i)
      var g = Genome.initial(
        inputs: inputs, outputs: outputs,
        connectionProbability: config.population.initialConnectionProbability, using: &rng)
      g.disabledHiddenLinks = config.searchSpace.disabledHiddenLinks
      return Individual(genome: g, origin: .initial, parent: nil)
    }
    speciesState = config.speciation.enabled ? .initial(config.speciation) : nil
  }

  /// Restores a search at the start of `generation` (its population not yet evaluated), as
  /// stored in an archive: resuming from here continues the run exactly. `speciesState` is the
  /// state the generation starts from (the previous generation's, as stored with it); nil with
  /// speciation on means the state before generation 0.
  public init(
    config: SearchConfig, inputs: Int, outputs: Int, defaultHiddenActivations: [Activation],
    generation: Int, population: [Individual], record: InnovationRecord, champion: Champion?,
    speciesState: SpeciesState? = nil
  ) {
    self.config = config
    self.inputs = inputs
    self.outputs = outputs
    self.hiddenActivations = config.mutation.hiddenActivations ?? defaultHiddenActivations
    self.generation = generation
    self.population = population
    self.record = record
    self.champion = champion
    self.speciesState = config.speciation.enabled ? speciesState ?? .initial(config.speciation) : nil
  }

  /// The population's islands (one, the whole population, unless `population.islands` says).
  public var islands: Islands { Islands(populationSize: population.count, count: config.population.islands) }

  /// Indices of this generation's genomes that `advance()` copies as elites (each island's
  /// best-ranked `eliteCount(of:)` its size; with one island, the population's `eliteCount`).
  /// Empty before `tell`.
  public var eliteIndices: [Int] {
    guard let a = assessment else { return [] }
    if let sp = species {
      return sp.members.indices.flatMap { s in sp.members[s].prefix(speciesElites(sp, s)) }
    }
    return zip(islands.ranges, Self.islandOrders(islands, a)).flatMap { r, order in
      order.prefix(config.eliteCount(of: r.count))
    }
  }

  /// The elites species `s` copies: as many as a population of its size would, at most its share.
  func speciesElites(_ sp: SpeciesAssignment, _ s: Int) -> Int {
    min(config.eliteCount(of: sp.members[s].count), sp.offspring[s])
  }

  /// Each island's genome indices, best-ranked first.
  static func islandOrders(_ islands: Islands, _ a: Assessment) -> [[Int]] {
    islands.ranges.map { r in r.sorted { a.rank[$0] < a.rank[$1] } }
  }

  /// The genomes to evaluate this generation.
  public var genomes: [Genome] { population.map(\.genome) }

  /// Scores and ranks the current generation.
  @discardableResult
  public mutating func tell(_ rewards: RewardMatrix) -> Assessment {
    precondition(
      rewards.genomes == population.count, "rewards for \(rewards.genomes) genomes, population has \(population.count)")
    var mean: [Double] = [], maxR: [Double] = [], conns: [Int] = []
    for g in 0..<population.count {
      let o = rewards.objectives(genome: g)
      mean.append(o.mean)
      maxR.append(o.max)
      conns.append(population[g].genome.activeConnectionCount)
    }
    var rng = RandomStream(seed: config.seed, purpose: .ranking, generation: generation)
    var onConnections = rng.uniform() < config.ranking.connectionObjectiveProbability
    // The novelty draw comes second and only when it is switched on, so runs without it draw
    // exactly what they drew before the key existed.
    let novelty = config.ranking.noveltyProbability
    let onNovelty = novelty > 0 && rng.uniform() < novelty
    if onNovelty { onConnections = false }
    // Fewer connections is better: maximise 1/connections (a network with none counts as one).
    let second = onConnections ? conns.map { 1 / Double(max($0, 1)) } : maxR
    // Each island is ranked alone (with one island, the whole population at once); novelty is
    // measured among an island's own genomes, which are the ones it competes with.
    var rank = [Int](repeating: 0, count: population.count), front = rank
    for r in islands.ranges {
      let islandSecond =
        onNovelty
        ? Novelty.scores(r.map { rewards.perWeightMean(genome: $0) }, neighbours: config.ranking.noveltyNeighbours)
        : Array(second[r])
      let (islandRank, islandFront) = Ranking.rank(
        Array(mean[r]), islandSecond, crowding: config.ranking.crowding)
      for (k, i) in r.enumerated() {
        rank[i] = islandRank[k]
        front[i] = islandFront[k]
      }
    }
    var a = Assessment(
      generation: generation, rewards: rewards, meanReward: mean, maxReward: maxR,
      connections: conns, rank: rank, front: front, rankedOnConnections: onConnections)
    a.rankedOnNovelty = onNovelty
    assessment = a
    if let state = speciesState {
      species = Speciation.assign(
        population.map(\.genome), meanReward: mean, rank: rank, from: state, inputs: inputs, outputs: outputs,
        config: config.speciation)
    }
    return a
  }

  /// The genome worth re-testing as a new champion: this generation's best mean reward, if it
  /// beats the champion's re-tested score. Nil before `tell` or when there is none.
  public var championCandidate: Int? {
    guard let a = assessment else { return nil }
    let b = a.best
    guard a.meanReward[b].isFinite else { return nil }
    if let c = champion, !(a.meanReward[b] > c.retestMean) { return nil }
    return b
  }

  /// Accepts genome `index` of this generation as champion if its re-test beats the current
  /// champion's re-test. Returns whether it was accepted. A failed re-test changes nothing.
  @discardableResult
  public mutating func offerChampion(index: Int, retestMean: Double) -> Bool {
    guard let a = assessment, retestMean.isFinite else { return false }
    if let c = champion, !(retestMean > c.retestMean) { return false }
    champion = Champion(
      genome: population[index].genome, generation: generation, index: index,
      searchMean: a.meanReward[index], retestMean: retestMean)
    return true
  }

  /// Breeds the next generation, island by island (one island: the whole population): sort by
  /// rank, cull the worst, copy the elites, and fill the rest with one-operator mutants of
  /// tournament winners from the breeding pool. At a migration, each island's last
  /// `population.migrants` places go to the previous island's best, copied unchanged (recorded as
  /// elites whose parent lies on that island). With speciation on, species take the islands'
  /// place: each breeds its share of the children from its own members, species after species.
  public mutating func advance() {
    guard let a = assessment else { preconditionFailure("advance() before tell()") }
    let next = generation + 1
    var children: [Individual] = []
    children.reserveCapacity(population.count)
    record.beginGeneration()
    // One selection stream for the generation, drawn group after group.
    var selection = RandomStream(seed: config.seed, purpose: .selection, generation: next)
    if let sp = species {
      for s in sp.members.indices where sp.offspring[s] > 0 {
        let m = sp.members[s]
        breed(
          from: m, poolSize: m.count - config.cullCount(of: m.count), elites: speciesElites(sp, s),
          children: sp.offspring[s], generation: next, selection: &selection, into: &children)
      }
      speciesState = sp.next
      species = nil
    } else {
      let islands = islands
      let orders = Self.islandOrders(islands, a)
      let migrants =
        islands.migrate(breeding: next, interval: config.population.migrationInterval)
        ? config.population.migrants : 0
      for (island, r) in islands.ranges.enumerated() {
        breed(
          from: orders[island], poolSize: r.count - config.cullCount(of: r.count),
          elites: config.eliteCount(of: r.count), children: r.count - migrants, generation: next,
          selection: &selection, into: &children)
        for i in orders[islands.source(of: island)].prefix(migrants) {
          children.append(Individual(genome: population[i].genome, origin: .elite, parent: i))
        }
      }
    }
    precondition(children.count == population.count, "bred \(children.count) of \(population.count) children")
    population = children
    generation = next
    assessment = nil
  }

  /// Appends one group's children (an island's or a species'): the first `elites` of `order`
  /// (its genomes, best-ranked first) copied unchanged, then mutants of tournament winners from
  /// its breeding pool (the first `poolSize` of `order`) up to `count` children in all. Each
  /// mutant's stream is keyed by its position in the next generation.
  mutating func breed(
    from order: [Int], poolSize: Int, elites: Int, children count: Int, generation next: Int,
    selection: inout RandomStream, into children: inout [Individual]
  ) {
    for i in order.prefix(elites) {
      children.append(Individual(genome: population[i].genome, origin: .elite, parent: i))
    }
    let winners = Self.tournamentWinners(
      count: count - elites, poolSize: poolSize, size: config.population.tournamentSize,
      rule: config.population.parentSelection, using: &selection)
    for winner in winners {
      let parent = order[winner]
      var rng = RandomStream(seed: config.seed, purpose: .mutation, generation: next, genome: children.count)
      let (genome, origin) = population[parent].genome.mutated(
        config.mutation, hiddenActivations: hiddenActivations, space: config.searchSpace, record: &record,
        using: &rng)
      children.append(Individual(genome: genome, origin: origin, parent: parent))
    }
  }

  /// Pool positions of `count` tournament winners. Tournaments are on rank: the pool is sorted
  /// best-first, so the smallest position wins. `betterOfTwo` draws as the original does: every
  /// child's first tournament, then every child's second, and keeps the better winner.
  static func tournamentWinners(
    count: Int, poolSize: Int, size: Int, rule: ParentSelection,
    using rng: inout RandomStream
  ) -> [Int] {
    func tournaments() -> [Int] {
      (0..<count).map { _ in
        var winner = Int.max
        for _ in 0..<size { winner = min(winner, rng.uniformInt(below: poolSize)) }
        return winner
      }
    }
    switch rule {
    case .oneTournament:
      return tournaments()
    case .betterOfTwo:
      let first = tournaments(), second = tournaments()
      return zip(first, second).map { min($0, $1) }
    }
  }
}
