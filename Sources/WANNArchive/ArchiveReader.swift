import Foundation
import WANNCore
import WANNTasks

/// Reads a run archive: validates that it is ours, lists complete generations, rebuilds
/// genomes, summaries and the champion, and restores a search for `resume`.
public final class ArchiveReader {
  public let path: String
  let file: H5File
  /// The run's location: the root of a single-run archive, or `runs/NAME` of a comparison.
  let base: H5Location
  /// The run's name inside a comparison archive (nil for a single-run archive).
  public let runName: String?
  public let config: SearchConfig
  public let formatVersion: Int64
  /// Opened for writing analysis results (`wann profile`, `wann conditions`).
  public let isWritable: Bool
  /// Generations whose group is complete, ascending.
  public let completeGenerations: [Int]
  /// Generation groups cut short by a crash (no `complete` attribute).
  public let incompleteGenerations: [Int]

  public init(path: String, run: String? = nil, writable: Bool = false) throws {
    self.path = path
    self.runName = run
    self.isWritable = writable
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(path) }
    do {
      file = try H5File(path: path, mode: writable ? .readWrite : .readOnly)
    } catch let e as HDF5Error {
      if writable { throw ArchiveError.notWritable(path, e) }
      throw ArchiveError.unreadable(path, e)
    }
    guard file.hasAttribute("format"), (try? file.stringAttribute("format")) == ArchiveSchema.format else {
      throw ArchiveError.foreign(path)
    }
    do {
      formatVersion = try file.attribute("format_version", as: Int64.self)
      guard formatVersion <= ArchiveSchema.version else { throw ArchiveError.newerVersion(path, formatVersion) }
      let runs = file.exists(file.runsGroupName) ? try file.openGroup(file.runsGroupName).children() : []
      if let run {
        guard runs.contains(run) else {
          throw ArchiveError.noGenomes(path, "no run '\(run)' (runs: \(runs.isEmpty ? "none" : runs.joined(separator: ", ")))")
        }
        base = try file.openGroup(file.runsGroupName).openGroup(run)
      } else {
        guard file.hasAttribute("config_toml") else {
          throw ArchiveError.noGenomes(path, "a comparison archive holds several runs; name one as FILE#RUN/champion or FILE#RUN/G/I (runs: \(runs.joined(separator: ", ")))")
        }
        base = file
      }
      let toml = try base.stringAttribute("config_toml")
      do { config = try SearchConfig(toml: toml) } catch {
        throw ArchiveError.corrupt(path, "its stored config does not parse: \(error)")
      }
      var complete: [Int] = [], incomplete: [Int] = []
      let gens = try base.openGroup(ArchiveSchema.generationsGroup)
      for name in try gens.children() {
        guard let g = Int(name) else { continue }
        let group = try gens.openGroup(name)
        if group.hasAttribute("complete") { complete.append(g) } else { incomplete.append(g) }
      }
      completeGenerations = complete.sorted()
      incompleteGenerations = incomplete.sorted()
      if let last = completeGenerations.last, completeGenerations != Array(0...last) {
        throw ArchiveError.corrupt(path, "generations are missing before generation \(last)")
      }
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  public var task: TaskKind { config.task }

  /// A string attribute of the run (falling back to the file's root: format, software, host).
  public func rootString(_ name: String) -> String? { (try? base.stringAttribute(name)) ?? (try? file.stringAttribute(name)) }


  func generationGroup(_ g: Int) throws -> H5Group {
    guard completeGenerations.contains(g) else {
      let range = completeGenerations.isEmpty ? "none" : "0...\(completeGenerations.last!)"
      throw ArchiveError.noGenomes(path, "generation \(g) is not in the archive (complete generations: \(range))")
    }
    do { return try base.openGroup(ArchiveSchema.generationsGroup).openGroup(ArchiveSchema.generationName(g)) } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Rebuilds genomes from a group's node and connection tables.
  static func readGenomes(_ g: H5Group, count: Int) throws -> [Genome] {
    let nGenome: [Int32] = try g.readColumn("nodes", "genome"), nID: [Int32] = try g.readColumn("nodes", "id")
    let nKind: [Int8] = try g.readColumn("nodes", "kind"), nAct: [Int8] = try g.readColumn("nodes", "activation")
    let cGenome: [Int32] = try g.readColumn("connections", "genome")
    let cInnov: [Int64] = try g.readColumn("connections", "innovation")
    let cSource: [Int32] = try g.readColumn("connections", "source"), cTarget: [Int32] = try g.readColumn("connections", "target")
    let cEnabled: [Int8] = try g.readColumn("connections", "enabled")
    let cRecurrent: [Int8] = try g.readColumn("connections", "recurrent")
    var genomes = [Genome](repeating: Genome(nodes: [], connections: []), count: count)
    for i in nGenome.indices {
      let gi = Int(nGenome[i])
      guard gi >= 0, gi < count, ArchiveSchema.nodeKinds.indices.contains(Int(nKind[i])),
            let act = Activation(rawValue: Int32(nAct[i]))
      else { throw HDF5Error(operation: "bad node row \(i) in \(g.path)/nodes", stack: []) }
      genomes[gi].nodes.append(NodeGene(id: NodeID(nID[i]), kind: ArchiveSchema.nodeKinds[Int(nKind[i])], activation: act))
    }
    for i in cGenome.indices {
      let gi = Int(cGenome[i])
      guard gi >= 0, gi < count else { throw HDF5Error(operation: "bad connection row \(i) in \(g.path)/connections", stack: []) }
      genomes[gi].connections.append(ConnectionGene(innovation: Innovation(cInnov[i]), source: NodeID(cSource[i]),
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
      let genomes = try Self.readGenomes(group, count: n)
      let origin: [Int8] = try group.readColumn("genomes", "origin"), parent: [Int32] = try group.readColumn("genomes", "parent")
      return try (0..<n).map { i in
        guard ArchiveSchema.origins.indices.contains(Int(origin[i])) else {
          throw ArchiveError.corrupt(path, "generation \(g) genome \(i) has unknown origin code \(origin[i])")
        }
        return Individual(genome: genomes[i], origin: ArchiveSchema.origins[Int(origin[i])], parent: parent[i] < 0 ? nil : Int(parent[i]))
      }
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  public func genome(generation g: Int, index: Int) throws -> Genome {
    let pop = try population(g)
    guard pop.indices.contains(index) else {
      throw ArchiveError.noGenomes(path, "generation \(g) has \(pop.count) genomes; there is no genome \(index)")
    }
    return pop[index].genome
  }

  public func rewards(_ g: Int) throws -> RewardMatrix {
    do {
      let group = try generationGroup(g)
      let shape = try group.shape(of: "rewards")
      guard shape.count == 3 else { throw ArchiveError.corrupt(path, "generation \(g) rewards have shape \(shape)") }
      var m = RewardMatrix(genomes: shape[0], repetitions: shape[1], weights: shape[2])
      m.values = try group.readArray("rewards")
      return m
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Per-generation statistics as `wann search` printed them.
  public func summary(_ g: Int) throws -> GenerationSummary {
    do {
      let group = try generationGroup(g)
      let champGen: Int64? = group.hasAttribute("champion_generation") ? try group.attribute("champion_generation") : nil
      var champ: (Double, Int, Int)?
      if let cg = champGen {
        let idx: Int64 = try group.attribute("champion_index")
        let genome = try self.genome(generation: Int(cg), index: Int(idx))
        champ = (try group.attribute("champion_retest_mean"), genome.enabledConnectionCount, genome.nodes.count)
      }
      let best = Int(try group.attribute("best_index", as: Int64.self))
      let accepted = group.hasAttribute("retest_accepted") ? try group.attribute("retest_accepted", as: Int8.self) == 1 : false
      let conns: [Int32] = try group.readColumn("genomes", "connections"), nodes: [Int32] = try group.readColumn("genomes", "nodes")
      return GenerationSummary(
        generation: g, best: try group.attribute("best_mean_reward"), mean: try group.attribute("mean_mean_reward"),
        median: try group.attribute("median_mean_reward"), bestConnections: Int(conns[best]), bestNodes: Int(nodes[best]),
        championReward: champ?.0, championConnections: champ?.1, championNodes: champ?.2,
        newChampion: accepted,
        rankedOnConnections: (try group.attribute("ranked_on_connections", as: Int8.self)) == 1,
        steps: Int(try group.attribute("steps", as: Int64.self)), seconds: try group.attribute("seconds"))
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// True when the run's search finished (its `end_time` is set).
  public var isFinished: Bool { base.hasAttribute("end_time") }

  /// The test battery's scores (condition, mean reward), if it was stored completely.
  public func batterySummary() throws -> [(String, Double)]? {
    guard base.exists("evaluation") else { return nil }
    do {
      let g = try base.openGroup("evaluation")
      guard g.hasAttribute("complete") else { return nil }
      let names = try g.stringAttribute("condition_names").split(separator: ";").map(String.init)
      let scores: [Double] = try g.readArray("summary")
      return Array(zip(names, scores))
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// The champion as of the last complete generation.
  public func champion() throws -> Champion? {
    guard let last = completeGenerations.last else { return nil }
    do {
      let group = try generationGroup(last)
      guard group.hasAttribute("champion_generation") else { return nil }
      let cg = Int(try group.attribute("champion_generation", as: Int64.self))
      let ci = Int(try group.attribute("champion_index", as: Int64.self))
      return Champion(genome: try genome(generation: cg, index: ci), generation: cg, index: ci,
                      searchMean: try group.attribute("champion_search_mean"), retestMean: try group.attribute("champion_retest_mean"))
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// The search as it stood after the last complete generation, ready to breed the next one.
  public func restoreSearch(config: SearchConfig, threads: Int) throws -> SearchRun {
    guard let last = completeGenerations.last else { return try SearchRun(config: config, threads: threads) }
    let task = Tasks.interface(config.task)
    let group = try generationGroup(last)
    let record: InnovationRecord
    do {
      record = InnovationRecord(nextNodeID: Int32(try group.attribute("next_node_id", as: Int64.self)),
                                nextInnovation: try group.attribute("next_innovation"))
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
    var evolution = Evolution(config: config, inputs: task.inputLabels.count, outputs: task.outputLabels.count,
                              defaultHiddenActivations: task.hiddenActivations, generation: last,
                              population: try population(last), record: record, champion: try champion())
    evolution.tell(try rewards(last))
    evolution.advance()
    return try SearchRun(evolution: evolution, threads: threads)
  }
}
