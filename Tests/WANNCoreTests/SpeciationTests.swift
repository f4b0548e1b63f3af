import Testing

@testable import WANNCore

@Suite struct SpeciationTests {
  /// bias n0, inputs n1-n2, output n3; hidden nodes and genes as given.
  static func genome(hidden: [(Int32, Activation)], genes: [(Int64, Int32, Int32)], output: Activation = .linear)
    -> Genome
  {
    var nodes = [
      NodeGene(id: NodeID(0), kind: .bias, activation: .linear),
      NodeGene(id: NodeID(1), kind: .input, activation: .linear),
      NodeGene(id: NodeID(2), kind: .input, activation: .linear),
      NodeGene(id: NodeID(3), kind: .output, activation: output),
    ]
    nodes += hidden.map { NodeGene(id: NodeID($0.0), kind: .hidden, activation: $0.1) }
    return Genome(
      nodes: nodes,
      connections: genes.map {
        ConnectionGene(innovation: Innovation($0.0), source: NodeID($0.1), target: NodeID($0.2))
      })
  }

  /// Hand-computed: genes by innovation, normalised by prettyNEAT's 1 + (longer gene count -
  /// inputs - outputs); activations as the share of shared hidden and output nodes that differ.
  @Test func compatibilityDistanceCountsUnmatchedGenesAndDifferingActivations() {
    let c = SpeciationConfig()
    let a = Self.genome(
      hidden: [(4, .tanh), (5, .sine)], genes: [(1, 1, 3), (2, 2, 3), (3, 1, 4), (4, 4, 3), (5, 2, 5), (6, 5, 3)])
    let b = Self.genome(hidden: [(4, .relu)], genes: [(1, 1, 3), (2, 2, 3), (3, 1, 4), (4, 4, 3), (7, 0, 3)])
    // Unmatched innovations 5, 6 (a) and 7 (b): 3 / (1 + 6 - (2 + 1)) = 0.75. Shared nodes n3
    // (same) and n4 (tanh against relu): 1/2 differ, times 0.5.
    #expect(Speciation.distance(a, b, inputs: 2, outputs: 1, config: c) == 0.75 + 0.25)
    #expect(
      Speciation.distance(a, b, inputs: 2, outputs: 1, config: c)
        == Speciation.distance(b, a, inputs: 2, outputs: 1, config: c))
    #expect(Speciation.distance(a, a, inputs: 2, outputs: 1, config: c) == 0)
    var geneOnly = c
    geneOnly.activationCoefficient = 0
    geneOnly.geneCoefficient = 2
    #expect(Speciation.distance(a, b, inputs: 2, outputs: 1, config: geneOnly) == 1.5)
    // Enabled or not, a gene is the same gene; the output's activation counts like a hidden one's.
    var disabled = a
    disabled.connections[0].isEnabled = false
    #expect(Speciation.distance(a, disabled, inputs: 2, outputs: 1, config: c) == 0)
    let otherOutput = Self.genome(hidden: [], genes: [(1, 1, 3)], output: .tanh)
    let plain = Self.genome(hidden: [], genes: [(1, 1, 3)])
    #expect(Speciation.distance(plain, otherOutput, inputs: 2, outputs: 1, config: c) == 0.5)
  }

  @Test func childrenAreSharedInProportionWithTheRemaindersToTheLargest() {
    #expect(Speciation.split(10, by: [1, 1, 1]) == [4, 3, 3])
    #expect(Speciation.split(192, by: [0.5, 0.25, 0.25]) == [96, 48, 48])
    #expect(Speciation.split(7, by: [0, 2, 1]) == [0, 5, 2])
    #expect(Speciation.split(5, by: [3]) == [5])
  }

  /// Genomes join the first species whose representative is closer than the threshold; sharing
  /// is by mean 1 / (rank + 1); a stagnant species breeds nothing unless it holds the best.
  @Test func assignSortsSharesAndRetiresStagnantSpecies() {
    var c = SpeciationConfig()
    c.activationCoefficient = 0
    c.stagnation = 2
    let small = Self.genome(hidden: [], genes: [(1, 1, 3)])
    let large = Self.genome(
      hidden: [(4, .tanh), (5, .tanh)], genes: [(2, 1, 4), (3, 4, 3), (4, 2, 5), (5, 5, 3), (6, 0, 3)])
    let genomes = [small, large, small, large]
    // small against large: 6 unmatched / (1 + 5 - 3) = 2, not closer than threshold 2: apart.
    let state = SpeciesState.initial(c)
    let first = Speciation.assign(
      genomes, meanReward: [1, 5, 2, 4], rank: [3, 0, 2, 1], from: state, inputs: 2, outputs: 1, config: c)
    #expect(first.species.map(\.id) == [0, 1])
    #expect(first.members == [[2, 0], [1, 3]])
    #expect(first.speciesOfGenome == [0, 1, 0, 1])
    // Fitness: small (1/4 + 1/3) / 2 = 0.2917, large (1 + 1/2) / 2 = 0.75: 4 x (0.28, 0.72).
    #expect(first.offspring == [1, 3])
    #expect(first.next.species.map(\.representative) == [small, large])
    #expect(first.next.threshold == 2.0)  // 2 species < 4: down, but not below the floor
    #expect(first.next.nextID == 2)
    // Three generations without improvement: the small species exceeds stagnation 2 and dies;
    // the large one holds the best genome and stays.
    var s = first.next
    var last = first
    for _ in 0..<3 {
      last = Speciation.assign(
        genomes, meanReward: [1, 5, 2, 4], rank: [3, 0, 2, 1], from: s, inputs: 2, outputs: 1, config: c)
      s = last.next
    }
    #expect(last.species.map(\.stagnantGenerations) == [3, 3])
    #expect(last.offspring == [0, 4])
    #expect(last.next.species.map(\.id) == [1])
  }

  /// A search with species: every child descends from a species with offspring and sits in that
  /// species' block, the blocks take their shares, elites are each species' best.
  @Test func evolutionBreedsEachSpeciesItsShare() throws {
    var c = EvolutionTests.config(60)
    c.speciation.enabled = true
    c.speciation.minThreshold = 0.25
    c.speciation.threshold = 0.5
    try c.validate()
    var evo = Evolution(config: c, inputs: 5, outputs: 1, defaultHiddenActivations: Activation.originalControlSet)
    var counts: Set<Int> = []
    for _ in 0..<12 {
      evo.tell(EvolutionTests.rewards(evo.genomes, c))
      let sp = try #require(evo.species)
      counts.insert(sp.species.count)
      #expect(sp.offspring.reduce(0, +) == 60)
      let elites = evo.eliteIndices
      evo.advance()
      var start = 0
      for s in sp.members.indices where sp.offspring[s] > 0 {
        let block = evo.population[start..<(start + sp.offspring[s])]
        for child in block { #expect(sp.speciesOfGenome[child.parent!] == s) }
        let pool = sp.members[s].prefix(sp.members[s].count - c.cullCount(of: sp.members[s].count))
        for child in block { #expect(pool.contains(child.parent!)) }
        start += sp.offspring[s]
      }
      #expect(evo.population.filter { $0.origin == .elite }.map { $0.parent! } == elites)
      #expect(evo.speciesState == sp.next)
    }
    #expect(counts.contains { $0 > 1 })
  }

  @Test func speciationWithIslandsIsRefused() {
    var c = EvolutionTests.config(40)
    c.speciation.enabled = true
    #expect(throws: Never.self) { try c.validate() }
    c.population.islands = 2
    #expect(throws: ConfigError.self) { try c.validate() }
    c.population.islands = 1
    c.speciation.minThreshold = 3
    #expect(throws: ConfigError.self) { try c.validate() }
  }
}

extension SpeciationTests {
  /// A threshold no two genomes reach keeps one species, which breeds exactly as the plain
  /// search does (its pool, elites, tournaments and child positions are the population's).
  @Test func oneSpeciesIsThePlainSearch() {
    var c = EvolutionTests.config(50)
    c.speciation.enabled = true
    c.speciation.threshold = 1e6
    c.speciation.minThreshold = 1e6
    #expect(
      EvolutionTests.population(after: 8, c) == EvolutionTests.population(after: 8, EvolutionTests.config(50)))
  }
}
