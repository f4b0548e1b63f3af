/// The `[speciation]` keys: NEAT's species (Stanley & Miikkulainen 2002) with the constants of
/// the original release's dormant prettyNEAT code (`neat_src/_speciate.py`, `p/default_neat.json`).
/// What each field means is its key's row in `SearchConfig.schema`. Off by default: the paper's
/// WANN search has no species.
public struct SpeciationConfig: Codable, Sendable, Equatable {
  public var enabled = false
  /// prettyNEAT's `spec_target`.
  public var targetSpecies = 4
  /// prettyNEAT's `spec_thresh` (the start) and `spec_threshMin` (the floor).
  public var threshold = 2.0
  public var minThreshold = 2.0
  /// prettyNEAT's `spec_compatMod`: how far the threshold moves per generation toward the target.
  public var thresholdStep = 0.25
  /// prettyNEAT's `spec_geneCoef`.
  public var geneCoefficient = 1.0
  /// In the place of prettyNEAT's weight term (`spec_weightCoef` 0.5), which is always 0 when
  /// every connection shares one weight.
  public var activationCoefficient = 0.5
  /// prettyNEAT's `spec_dropOffAge`.
  public var stagnation = 64
  public init() {}
}

/// One species as it enters a generation: who it is, whom a genome is compared with, and how it
/// has fared.
public struct Species: Sendable, Equatable {
  public let id: Int
  /// The genome a newcomer is measured against: the species' best-ranked member of the previous
  /// generation (NEAT takes a random one; the best keeps the species centred on its lineage and
  /// needs no random draw).
  public var representative: Genome
  /// The best mean reward any member has reached.
  public var bestMean: Double
  /// Generations since `bestMean` last rose.
  public var stagnantGenerations: Int

  public init(id: Int, representative: Genome, bestMean: Double, stagnantGenerations: Int) {
    self.id = id
    self.representative = representative
    self.bestMean = bestMean
    self.stagnantGenerations = stagnantGenerations
  }
}

/// What speciation carries from one generation to the next: the living species, the
/// compatibility threshold the next generation is sorted with, and the next species id.
public struct SpeciesState: Sendable, Equatable {
  public var species: [Species]
  public var threshold: Double
  public var nextID: Int

  public init(species: [Species], threshold: Double, nextID: Int) {
    self.species = species
    self.threshold = threshold
    self.nextID = nextID
  }

  /// The state before generation 0: no species, the configured starting threshold.
  public static func initial(_ config: SpeciationConfig) -> SpeciesState {
    SpeciesState(species: [], threshold: config.threshold, nextID: 0)
  }
}

/// One generation sorted into species, and how many children each breeds.
public struct SpeciesAssignment: Sendable, Equatable {
  /// Every species that has members this generation, in the order they were met (surviving
  /// species first, in their previous order; then the new ones): their state after this
  /// generation (the representative is the best-ranked member).
  public let species: [Species]
  /// Genome indices of each species, best-ranked first.
  public let members: [[Int]]
  /// Children each species breeds for the next generation (0: extinct).
  public let offspring: [Int]
  /// Position in `species` of every genome.
  public let speciesOfGenome: [Int]
  /// The state the next generation starts from: the species with offspring, the moved threshold.
  public let next: SpeciesState
}

/// NEAT's speciation for weight-agnostic networks: the compatibility distance, the sorting of a
/// generation into species, fitness sharing and stagnation, as prettyNEAT does them (docs/method.md,
/// "Species"). Pure functions of a generation and the state it starts from, so a search that
/// resumes from an archive (which stores the state with every generation) continues exactly.
public enum Speciation {
  /// NEAT's compatibility distance with WANN's weight term replaced by activations:
  /// `geneCoefficient` x (connection genes either genome lacks, by innovation) / (1 + the larger
  /// gene count beyond `inputs + outputs`, prettyNEAT's normalisation), plus
  /// `activationCoefficient` x the share of the nodes both genomes hold (by id; hidden and output
  /// nodes) whose activations differ. Symmetric, 0 for equal genomes.
  public static func distance(
    _ a: Genome, _ b: Genome, inputs: Int, outputs: Int, config: SpeciationConfig
  ) -> Double {
    let innovationsA = Set(a.connections.map(\.innovation))
    let innovationsB = Set(b.connections.map(\.innovation))
    let unmatched = innovationsA.symmetricDifference(innovationsB).count
    let longest = max(a.connections.count, b.connections.count) - (inputs + outputs)
    let geneTerm = Double(unmatched) / Double(1 + max(0, longest))
    var activationsA: [NodeID: Activation] = [:]
    for n in a.nodes where n.kind == .hidden || n.kind == .output { activationsA[n.id] = n.activation }
    var shared = 0, differing = 0
    for n in b.nodes where n.kind == .hidden || n.kind == .output {
      guard let activation = activationsA[n.id] else { continue }
      shared += 1
      if activation != n.activation { differing += 1 }
    }
    let activationTerm = shared == 0 ? 0 : Double(differing) / Double(shared)
    return config.geneCoefficient * geneTerm + config.activationCoefficient * activationTerm
  }

  /// Sorts a ranked generation into species and shares the next generation among them.
  /// - Each genome, in index order, joins the first species whose representative lies closer
  ///   than the threshold, or founds a new one.
  /// - A species' fitness is the mean of its members' 1 / (rank + 1) (prettyNEAT's rank-based
  ///   sharing: a large species of good genomes earns no more than a small one).
  /// - A species whose best mean reward has not risen for more than `stagnation` generations
  ///   earns nothing, unless it holds the generation's best-ranked genome (NEAT's protection of
  ///   the top species, which keeps the search from losing its best lineage).
  /// - Children are shared in proportion to fitness, rounded down, the rest going to the largest
  ///   remainders (prettyNEAT's `bestIntSplit`; ties to the earlier species).
  /// - The threshold then moves `thresholdStep` toward `targetSpecies` species, never below
  ///   `minThreshold`.
  public static func assign(
    _ genomes: [Genome], meanReward: [Double], rank: [Int], from state: SpeciesState,
    inputs: Int, outputs: Int, config: SpeciationConfig
  ) -> SpeciesAssignment {
    precondition(genomes.count == rank.count && genomes.count == meanReward.count, "one rank and reward per genome")
    var species = state.species
    var members = [[Int]](repeating: [], count: species.count)
    var nextID = state.nextID
    for (g, genome) in genomes.enumerated() {
      let home = species.indices.first { s in
        distance(genome, species[s].representative, inputs: inputs, outputs: outputs, config: config) < state.threshold
      }
      if let s = home {
        members[s].append(g)
      } else {
        species.append(Species(id: nextID, representative: genome, bestMean: -.infinity, stagnantGenerations: 0))
        members.append([g])
        nextID += 1
      }
    }
    // Species nobody joined are gone; the rest are updated from their members.
    var living: [Species] = [], livingMembers: [[Int]] = []
    for (s, m) in zip(species, members) where !m.isEmpty {
      var updated = s
      let ordered = m.sorted { rank[$0] < rank[$1] }
      let top = ordered.map { Ranking.sanitized(meanReward[$0]) }.max()!
      if top > s.bestMean {
        updated.bestMean = top
        updated.stagnantGenerations = 0
      } else {
        updated.stagnantGenerations += 1
      }
      updated.representative = genomes[ordered[0]]
      living.append(updated)
      livingMembers.append(ordered)
    }
    let best = rank.firstIndex(of: 0)  // the best-ranked genome
    var fitness = zip(living, livingMembers).map { s, m -> Double in
      let stagnant = config.stagnation > 0 && s.stagnantGenerations > config.stagnation
      if stagnant && !m.contains(where: { $0 == best }) { return 0 }
      return m.reduce(0) { $0 + 1 / Double(rank[$1] + 1) } / Double(m.count)
    }
    if !fitness.contains(where: { $0 > 0 }) { fitness = fitness.map { _ in 1 } }
    let offspring = split(genomes.count, by: fitness)
    var speciesOfGenome = [Int](repeating: 0, count: genomes.count)
    for (s, m) in livingMembers.enumerated() { for g in m { speciesOfGenome[g] = s } }
    var threshold = state.threshold
    if living.count < config.targetSpecies {
      threshold -= config.thresholdStep
    } else if living.count > config.targetSpecies {
      threshold += config.thresholdStep
    }
    threshold = max(threshold, config.minThreshold)
    let survivors = zip(living, offspring).filter { $0.1 > 0 }.map(\.0)
    return SpeciesAssignment(
      species: living, members: livingMembers, offspring: offspring, speciesOfGenome: speciesOfGenome,
      next: SpeciesState(species: survivors, threshold: threshold, nextID: nextID))
  }

  /// `total` shared in proportion to `weights` (non-negative, not all 0): each share rounded
  /// down, then one more to each of the largest remainders (ties to the earlier) until the sum
  /// is `total` (prettyNEAT's `bestIntSplit`).
  public static func split(_ total: Int, by weights: [Double]) -> [Int] {
    let sum = weights.reduce(0, +)
    let exact = weights.map { $0 / sum * Double(total) }
    var shares = exact.map { Int($0.rounded(.down)) }
    let order = exact.indices.sorted { i, j in
      let ri = exact[i] - Double(shares[i]), rj = exact[j] - Double(shares[j])
      return ri != rj ? ri > rj : i < j
    }
    var left = total - shares.reduce(0, +)
    for i in order where left > 0 {
      shares[i] += 1
      left -= 1
    }
    return shares
  }
}
