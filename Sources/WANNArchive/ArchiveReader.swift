import Foundation
import WANNCore

/// Reads a run archive, and never writes it: validates that it is ours, lists complete
/// generations, rebuilds genomes, summaries and the champion, restores a search's state for
/// `resume`, and gives access to stored results (analysis, the test battery). Results are
/// written by `AnalysisStore`, generations by `ArchiveWriter`.
public final class ArchiveReader {
  public let path: String
  let file: H5File
  /// The run's location: the root of a single-run archive, or `runs/NAME` of a comparison.
  let base: H5Location
  /// The run's name inside a comparison archive (nil for a single-run archive).
  public let runName: String?
  public let config: SearchConfig
  public let formatVersion: Int64
  /// Generations whose group is complete, ascending.
  public let completeGenerations: [Int]
  /// Generation groups cut short by a crash (no `complete` attribute).
  public let incompleteGenerations: [Int]
  /// Every complete generation's group, opened once when the archive is opened. A finished
  /// generation's group never changes, but `/generations`'s link index does while a search
  /// writes on: a reader open for minutes that looked names up there again met the writer's
  /// newer index through its own stale cache ("no group /generations/000072" from `wann
  /// inspect` on a live MNIST run). Handles opened at the start never look anything up again.
  let generationGroups: [Int: H5Group]

  public init(path: String, run: String? = nil) throws {
    self.path = path
    self.runName = run
    (file, formatVersion, base, config, generationGroups, incompleteGenerations) =
      try Self.retryingWhileAnotherWriterFlushes(path) { try Self.load(path: path, run: run) }
    completeGenerations = generationGroups.keys.sorted()
  }

  /// Opens the archive, runs `body` on it and closes it, as one unit: while another process
  /// writes the archive, any read of the unit can meet a flush half done (the writer keeps
  /// adding to `/analysis`, whose link tables a reader's cache may hold from before), so the
  /// whole unit starts again from a fresh open, for up to about 2 s. Without another writer an
  /// error is reported at once. (A reader must be closed before it is opened again: HDF5 gives a
  /// process's second open of a file the first one's view.)
  public static func reading<T>(_ path: String, run: String? = nil, _ body: (ArchiveReader) throws -> T) throws -> T {
    try retryingWhileAnotherWriterFlushes(path) {
      let reader = try ArchiveReader(path: path, run: run)
      do {
        let result = try body(reader)
        try reader.close()
        return result
      } catch {
        try? reader.close()
        throw error
      }
    }
  }

  /// Runs a read of the archive at `path` inside its commit gate (`ArchiveReadGate`: no commit
  /// of another writer lands in the middle of it). Should a read meet a flush half done anyway
  /// (a superblock, link table or heap a step ahead of what it points to; a writer that waited
  /// out the gate), it starts again, for up to about 2 s, while another process writes the
  /// archive. Without another writer an error is reported at once.
  static func retryingWhileAnotherWriterFlushes<T>(_ path: String, _ read: () throws -> T) throws -> T {
    var attempt = 0
    while true {
      do { return try ArchiveReadGate.holding(path, read) } catch {
        attempt += 1
        guard attempt < 40, mayBeAWritersFlush(error), ArchiveLock.isHeld(path) != nil else { throw error }
        usleep(50_000)
      }
    }
  }

  /// Errors a concurrent writer's flush can cause (a damaged file gives them too, but then no
  /// writer holds the archive and the error is reported at once).
  static func mayBeAWritersFlush(_ error: Error) -> Bool {
    switch error {
    case ArchiveError.readFailed, ArchiveError.notHDF5, ArchiveError.foreign, ArchiveError.corrupt: true
    default: false
    }
  }

  static func load(path: String, run: String?) throws
    -> (H5File, Int64, H5Location, SearchConfig, complete: [Int: H5Group], incomplete: [Int])
  {
    let (file, formatVersion, base) = try ArchiveReader.openRun(path: path, run: run, mode: .readOnly)
    do {
      let toml = try base.stringAttribute("config_toml")
      let config: SearchConfig
      do { config = try SearchConfig(storedTOML: toml) } catch {
        throw ArchiveError.corrupt(archive: path, why: "its stored config does not parse: \(error)")
      }
      var complete: [Int: H5Group] = [:], incomplete: [Int] = []
      let gens = try base.openGroup(ArchiveSchema.generationsGroup)
      for name in try gens.children() {
        // Only our own names ("000123"): anything else is not a generation (and a negative
        // number would make the range check below trap).
        guard let g = Int(name), g >= 0, name == ArchiveSchema.generationName(g) else { continue }
        // A group that does not open was cut short by an older wann on a full disk (its link
        // was written, its header was not): like a group without `complete`, it is skipped
        // here and removed by `resume`.
        if let group = try? gens.openGroup(name), group.hasAttribute("complete") {
          complete[g] = group
        } else {
          incomplete.append(g)
        }
      }
      incomplete.sort()
      if let last = complete.keys.max(), complete.count != last + 1 {
        let missing = Set(0...last).subtracting(complete.keys).sorted().prefix(10).map(String.init).joined(
          separator: ", ")
        throw ArchiveError.corrupt(
          archive: path,
          why:
            "the group of generation(s) \(missing) is damaged or missing, before the last complete generation \(last) (`wann inspect --check \(path)` lists the damage; scripts/rescue_archive.py copies what reads into a new archive that `wann resume` continues)"
        )
      }
      return (file, formatVersion, base, config, complete, incomplete)
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// Opens an archive file, checks that it is ours and not newer than this build, and finds the
  /// run: the file's root, or `run` inside a multi-run archive.
  static func openRun(path: String, run: String?, mode: H5File.Mode) throws -> (H5File, Int64, H5Location) {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(archive: path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(archive: path) }
    let file = try openFile(path: path, mode: mode)
    guard file.hasAttribute("format"), (try? file.stringAttribute("format")) == ArchiveSchema.format else {
      throw ArchiveError.foreign(archive: path)
    }
    return try readingArchive(path) {
      let version = try file.attribute("format_version", as: Int64.self)
      guard version <= ArchiveSchema.version else { throw ArchiveError.newerVersion(archive: path, version: version) }
      let runs = file.exists(file.runsGroupName) ? try file.openGroup(file.runsGroupName).children() : []
      if let run {
        guard runs.contains(run) else {
          guard !runs.isEmpty else {
            // A single-run archive: the name was meant as a genome (#champoin for #champion).
            throw ArchiveError.noGenomes(
              archive: path,
              why:
                "'#\(run)' names no genome of this single-run archive\(Suggestion.phrase(for: "#" + run, among: ["#champion"])) (its genomes: #champion, or #GENERATION/INDEX such as #12/0)"
            )
          }
          throw ArchiveError.noGenomes(
            archive: path,
            why: "no run '\(run)'\(Suggestion.phrase(for: run, among: runs)) (runs: \(runs.joined(separator: ", ")))")
        }
        return (file, version, try file.openGroup(file.runsGroupName).openGroup(run))
      }
      guard file.hasAttribute("config_toml") else {
        let kind = (try? file.stringAttribute("kind")).flatMap(ArchiveKind.init(rawValue:))
        guard kind == .experiment || kind == .comparison, !runs.isEmpty else {
          throw ArchiveError.corrupt(
            archive: path,
            why:
              "its run config (the root attribute config_toml) does not read (`wann inspect --check \(path)` lists the damage)"
          )
        }
        throw ArchiveError.noGenomes(
          archive: path,
          why:
            "an experiment or comparison archive holds several runs; name one as FILE#RUN/champion or FILE#RUN/G/I (runs: \(runs.joined(separator: ", ")))"
        )
      }
      return (file, version, file)
    }
  }

  /// Reads every group and dataset of the file in full (HDF5 verifies each dataset's checksum
  /// as it reads) and lists what is damaged, one "PATH: why" per object; empty when all reads.
  public static func damagedObjects(path: String) throws -> [String] {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(archive: path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(archive: path) }
    let file = try openFile(path: path, mode: .readOnly)
    defer { try? file.close() }
    return file.damagedObjects()
  }

  /// Opens an archive file, turning HDF5's failures into errors that say what to do.
  static func openFile(path: String, mode: H5File.Mode) throws -> H5File {
    try ArchiveJournal.rollBackIfAWriterWasKilled(path)
    if mode == .readOnly { ArchiveJournal.waitWhileAWriterFlushes(path) }
    do { return try H5File(path: path, mode: mode) } catch let e as HDF5Error {
      // HDF5_USE_FILE_LOCKING=TRUE makes HDF5 lock files whatever we ask: a running search then
      // keeps readers out. Say so rather than pass on HDF5's lock error.
      if e.description.contains("unable to lock"), let holder = ArchiveLock.isHeld(path) {
        throw ArchiveError.lockedForReading(archive: path, holder: holder)
      }
      if mode == .readWrite { throw ArchiveError.notWritable(archive: path, cause: e) }
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// Closes the file. (It also closes when the reader goes away; this reports a failure.)
  public func close() throws { try readingArchive(path) { try file.close() } }

  /// The run's config as stored in its `config` group's attributes (the same config as its TOML
  /// text; readers that do not parse TOML use these).
  public func configAttributes() throws -> SearchConfig {
    try readingArchive(path) { try ArchiveSchema.readConfigAttributes(base.openGroup(ArchiveSchema.configGroup)) }
  }

  public var task: TaskKind { config.task }

  /// A string attribute of the run (falling back to the file's root: format, software, host).
  public func rootString(_ name: String) -> String? {
    (try? base.stringAttribute(name)) ?? (try? file.stringAttribute(name))
  }

  func generationGroup(_ g: Int) throws -> H5Group {
    guard let group = generationGroups[g] else {
      let range = completeGenerations.isEmpty ? "none" : "0...\(completeGenerations.last!)"
      throw ArchiveError.noGenomes(
        archive: path, why: "generation \(g) is not in the archive (complete generations: \(range))")
    }
    return group
  }

  /// Rebuilds genomes from a group's node and connection tables.
  static func readGenomes(_ g: H5Group, count: Int) throws -> [Genome] {
    let nGenome: [Int32] = try g.readColumn("nodes", "genome"), nID: [Int32] = try g.readColumn("nodes", "id")
    let nKind: [Int8] = try g.readColumn("nodes", "kind"), nAct: [Int8] = try g.readColumn("nodes", "activation")
    let cGenome: [Int32] = try g.readColumn("connections", "genome")
    let cInnov: [Int64] = try g.readColumn("connections", "innovation")
    let cSource: [Int32] = try g.readColumn("connections", "source"),
      cTarget: [Int32] = try g.readColumn("connections", "target")
    let cEnabled: [Int8] = try g.readColumn("connections", "enabled")
    let cRecurrent: [Int8] = try g.readColumn("connections", "recurrent")
    var genomes = [Genome](repeating: Genome(nodes: [], connections: []), count: count)
    for i in nGenome.indices {
      let gi = Int(nGenome[i])
      guard gi >= 0, gi < count, ArchiveSchema.nodeKinds.indices.contains(Int(nKind[i])),
        let act = Activation(rawValue: Int32(nAct[i]))
      else { throw HDF5Error(operation: "bad node row \(i) in \(g.path)/nodes", stack: []) }
      genomes[gi].nodes.append(
        NodeGene(id: NodeID(nID[i]), kind: ArchiveSchema.nodeKinds[Int(nKind[i])], activation: act))
    }
    for i in cGenome.indices {
      let gi = Int(cGenome[i])
      guard gi >= 0, gi < count else {
        throw HDF5Error(operation: "bad connection row \(i) in \(g.path)/connections", stack: [])
      }
      genomes[gi].connections.append(
        ConnectionGene(
          innovation: Innovation(cInnov[i]), source: NodeID(cSource[i]),
          target: NodeID(cTarget[i]), isEnabled: cEnabled[i] != 0,
          isRecurrent: cRecurrent[i] != 0))
    }
    return genomes
  }

  /// The population of generation `g` with its lineage.
  public func population(_ g: Int) throws -> [Individual] {
    do {
      let group = try generationGroup(g)
      let n = try group.shape(of: "genomes").first ?? 0
      var genomes = try Self.readGenomes(group, count: n)
      // The rule is stored once, with the run's config; every genome of the run follows it.
      for i in genomes.indices { genomes[i].disabledHiddenLinks = config.searchSpace.disabledHiddenLinks }
      let origin: [Int8] = try group.readColumn("genomes", "origin"),
        parent: [Int32] = try group.readColumn("genomes", "parent")
      return try (0..<n).map { i in
        guard ArchiveSchema.origins.indices.contains(Int(origin[i])) else {
          throw ArchiveError.corrupt(
            archive: path, why: "generation \(g) genome \(i) has unknown origin code \(origin[i])")
        }
        return Individual(
          genome: genomes[i], origin: ArchiveSchema.origins[Int(origin[i])],
          parent: parent[i] < 0 ? nil : Int(parent[i]))
      }
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  public func genome(generation g: Int, index: Int) throws -> Genome {
    let pop = try population(g)
    guard pop.indices.contains(index) else {
      throw ArchiveError.noGenomes(
        archive: path, why: "generation \(g) has \(pop.count) genomes; there is no genome \(index)")
    }
    return pop[index].genome
  }

  public func rewards(_ g: Int) throws -> RewardMatrix {
    do {
      let group = try generationGroup(g)
      let shape = try group.shape(of: "rewards")
      guard shape.count == 3 else {
        throw ArchiveError.corrupt(archive: path, why: "generation \(g) rewards have shape \(shape)")
      }
      var m = RewardMatrix(genomes: shape[0], repetitions: shape[1], weights: shape[2])
      m.values = try group.readArray("rewards")
      return m
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// Per-generation statistics as `wann search` printed them.
  public func summary(_ g: Int) throws -> GenerationSummary {
    do {
      let group = try generationGroup(g)
      // Genome sizes come from a generation's genome table (written from the same genomes), not
      // from rebuilding its population: on MNIST, rebuilding the champion's for every
      // generation made `wann inspect` take minutes.
      func sizes(_ table: H5Group) throws -> (connections: [Int32], nodes: [Int32]) {
        (try table.readColumn("genomes", "connections"), try table.readColumn("genomes", "nodes"))
      }
      func size(_ index: Int, in s: (connections: [Int32], nodes: [Int32]), of what: String) throws -> (Int, Int) {
        guard s.connections.indices.contains(index), s.nodes.indices.contains(index) else {
          throw ArchiveError.corrupt(
            archive: path, why: "generation \(g) names \(what), a genome its generation does not hold")
        }
        return (Int(s.connections[index]), Int(s.nodes[index]))
      }
      let own = try sizes(group)
      var champ: (Double, Int, Int)?
      if group.hasAttribute("champion_generation") {
        let cg = Int(try group.attribute("champion_generation", as: Int64.self))
        let ci = Int(try group.attribute("champion_index", as: Int64.self))
        let (c, n) = try size(ci, in: cg == g ? own : try sizes(generationGroup(cg)), of: "champion \(cg)/\(ci)")
        champ = (try group.attribute("champion_retest_mean"), c, n)
      }
      let best = Int(try group.attribute("best_index", as: Int64.self))
      let (bestConnections, bestNodes) = try size(best, in: own, of: "best genome \(best)")
      let accepted =
        group.hasAttribute("retest_accepted") ? try group.attribute("retest_accepted", as: Int8.self) == 1 : false
      return GenerationSummary(
        generation: g, best: try group.attribute("best_mean_reward"), mean: try group.attribute("mean_mean_reward"),
        median: try group.attribute("median_mean_reward"), bestConnections: bestConnections, bestNodes: bestNodes,
        championReward: champ?.0, championConnections: champ?.1, championNodes: champ?.2,
        newChampion: accepted,
        rankedOnConnections: (try group.attribute("ranked_on_connections", as: Int8.self)) == 1,
        rankedOnNovelty: group.hasAttribute("ranked_on_novelty")
          ? (try group.attribute("ranked_on_novelty", as: Int8.self)) == 1 : nil,
        steps: Int(try group.attribute("steps", as: Int64.self)), seconds: try group.attribute("seconds"))
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// The generations the run is to reach: the config's, or the target of the last
  /// `wann resume --generations N`.
  public var generationsTarget: Int {
    (try? base.attribute("generations_target", as: Int64.self)).map(Int.init) ?? config.generations
  }

  /// True when the run's search finished (its `end_time` is set).
  public var isFinished: Bool { base.hasAttribute("end_time") }

  /// The run's test battery group, if it was stored completely.
  public func evaluation() throws -> StoredResult? {
    guard base.exists(ArchiveSchema.evaluationGroup) else { return nil }
    let g = try readingArchive(path) { try base.openGroup(ArchiveSchema.evaluationGroup) }
    return g.hasAttribute("complete") ? StoredResult(group: g, archive: path, path: g.path) : nil
  }

  /// The champion as of the last complete generation.
  public func champion() throws -> Champion? {
    guard let last = completeGenerations.last else { return nil }
    do {
      let group = try generationGroup(last)
      guard group.hasAttribute("champion_generation") else { return nil }
      let cg = Int(try group.attribute("champion_generation", as: Int64.self))
      let ci = Int(try group.attribute("champion_index", as: Int64.self))
      return Champion(
        genome: try genome(generation: cg, index: ci), generation: cg, index: ci,
        searchMean: try group.attribute("champion_search_mean"), retestMean: try group.attribute("champion_retest_mean")
      )
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// The species state generation `g + 1` starts from, as generation `g` stored it: its species
  /// with offspring, each represented by its best-ranked genome of generation `g`.
  public func speciesState(after g: Int) throws -> SpeciesState {
    do {
      let group = try generationGroup(g)
      guard group.exists("species") else {
        throw ArchiveError.corrupt(
          archive: path, why: "generation \(g) has no species table, but the run's config has speciation.enabled")
      }
      let ids: [Int32] = try group.readColumn("species", "id")
      let representative: [Int32] = try group.readColumn("species", "representative")
      let best: [Double] = try group.readColumn("species", "best_mean_reward")
      let stagnant: [Int32] = try group.readColumn("species", "stagnant_generations")
      let offspring: [Int32] = try group.readColumn("species", "offspring")
      let genomes = try population(g).map(\.genome)
      let species = try ids.indices.filter { offspring[$0] > 0 }.map { s in
        guard genomes.indices.contains(Int(representative[s])) else {
          throw ArchiveError.corrupt(
            archive: path,
            why: "generation \(g) species \(ids[s]) names genome \(representative[s]) of \(genomes.count)")
        }
        return Species(
          id: Int(ids[s]), representative: genomes[Int(representative[s])], bestMean: best[s],
          stagnantGenerations: Int(stagnant[s]))
      }
      return SpeciesState(
        species: species, threshold: try group.attribute("species_threshold"),
        nextID: Int(try group.attribute("next_species_id", as: Int64.self)))
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }

  /// The search's state after the last complete generation, ready to breed the next one (nil
  /// when no generation is complete: the search starts afresh). `inputs`, `outputs` and
  /// `hiddenActivations` describe the task.
  public func restoreEvolution(config: SearchConfig, inputs: Int, outputs: Int, hiddenActivations: [Activation]) throws
    -> Evolution?
  {
    guard let last = completeGenerations.last else { return nil }
    let group = try generationGroup(last)
    let record = try readingArchive(path) {
      InnovationRecord(
        nextNodeID: Int32(try group.attribute("next_node_id", as: Int64.self)),
        nextInnovation: try group.attribute("next_innovation"))
    }
    let species = config.speciation.enabled && last > 0 ? try speciesState(after: last - 1) : nil
    var evolution = Evolution(
      config: config, inputs: inputs, outputs: outputs,
      defaultHiddenActivations: hiddenActivations, generation: last,
      population: try population(last), record: record, champion: try champion(), speciesState: species)
    evolution.tell(try rewards(last))
    evolution.advance()
    return evolution
  }
}
