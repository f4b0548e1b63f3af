import Foundation
import WANNCore
import WANNTasks

/// Writes a search into a run archive, one generation group at a time.
///
/// Crash safety: each generation's datasets are created and written once, never touched again,
/// the group's `complete` attribute is written last, and the file is flushed at the end of every
/// generation. A run killed at any moment leaves every flushed generation readable; a group
/// without `complete` is a generation cut short, which readers skip and `resume` removes.
/// (Rewriting compressed datasets after a flush was seen to corrupt them under SIGKILL; see
/// docs/hdf5-schema.md.)
public final class ArchiveWriter {
  public let path: String
  let file: H5File
  /// Where this run's attributes and groups live: the file's root, or a run group of a
  /// comparison archive.
  let run: H5Location
  let generations: H5Group

  /// Creates a new archive for a search. Refuses to replace an existing file unless `force`.
  public init(creating path: String, config: SearchConfig, task: any WANNTask, force: Bool) throws {
    self.path = path
    do {
      file = try H5File.createArchive(path, force: force)
      run = file
      try Self.writeFormat(file, kind: "run")
      generations = try Self.initializeRun(file, config: config, task: task)
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Adds a run as group `runs/NAME` of a comparison archive opened by `MultiRunWriter`.
  init(file: H5File, path: String, runName: String, config: SearchConfig, task: any WANNTask) throws {
    self.path = path
    self.file = file
    do {
      let runs = file.exists(file.runsGroupName) ? try file.openGroup(file.runsGroupName) : try file.createGroup(file.runsGroupName)
      if runs.exists(runName) { try runs.delete(runName) }
      let group = try runs.createGroup(runName)
      run = group
      generations = try Self.initializeRun(group, config: config, task: task)
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  static func writeFormat(_ file: H5File, kind: String) throws {
    try file.setAttribute("format", ArchiveSchema.format)
    try file.setAttribute("format_version", ArchiveSchema.version)
    try file.setAttribute("kind", kind)
    try file.setAttribute("software", "wann-swift")
    try file.setAttribute("software_version", WANNVersion.string)
    try file.setAttribute("host", ProcessInfo.processInfo.hostName)
    try file.setAttribute("node_kind_codes", ArchiveSchema.nodeKindLegend)
    try file.setAttribute("origin_codes", ArchiveSchema.originLegend)
  }

  /// Writes a run's attributes and config, and creates its generations group.
  static func initializeRun(_ file: H5Location, config: SearchConfig, task: any WANNTask) throws -> H5Group {
    do {
      try file.setAttribute("task", config.task.rawValue)
      try file.setAttribute("seed", config.seed)
      try file.setAttribute("start_time", Self.timestamp())
      try file.setAttribute("config_toml", config.tomlText)
      try file.setAttribute("search_space", config.searchSpace.name)
      try file.setAttribute("input_labels", task.inputLabels.joined(separator: ","))
      try file.setAttribute("output_labels", task.outputLabels.joined(separator: ","))
      let cfg = try file.createGroup(ArchiveSchema.configGroup)
      try Self.writeConfigAttributes(config, to: cfg)
      return try file.createGroup(ArchiveSchema.generationsGroup)
    }
  }

  /// Reopens an archive to append generations after `lastComplete`, removing a generation that
  /// was cut short.
  public init(appendingTo path: String, lastComplete: Int?) throws {
    self.path = path
    do {
      file = try H5File(path: path, mode: .readWrite)
      run = file
      generations = try file.openGroup(ArchiveSchema.generationsGroup)
      for name in try generations.children() {
        guard let g = Int(name) else { continue }
        if lastComplete.map({ g > $0 }) ?? true { try generations.delete(name) }
      }
      try file.setAttribute("resumed_time", Self.timestamp())
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

  static func writeConfigAttributes(_ c: SearchConfig, to g: H5Group) throws {
    try g.setAttribute("seed", c.seed)
    try g.setAttribute("task", c.task.rawValue)
    try g.setAttribute("generations", Int64(c.generations))
    try g.setAttribute("population.size", Int64(c.population.size))
    try g.setAttribute("population.eliteRatio", c.population.eliteRatio)
    try g.setAttribute("population.cullRatio", c.population.cullRatio)
    try g.setAttribute("population.tournamentSize", Int64(c.population.tournamentSize))
    try g.setAttribute("population.initialConnectionProbability", c.population.initialConnectionProbability)
    try g.setAttribute("mutation.insertNode", c.mutation.insertNode)
    try g.setAttribute("mutation.addConnection", c.mutation.addConnection)
    try g.setAttribute("mutation.changeActivation", c.mutation.changeActivation)
    try g.setAttribute("mutation.enableConnection", c.mutation.enableConnection)
    if let h = c.mutation.hiddenActivations {
      try g.setAttribute("mutation.hiddenActivations", array: h.map { Int64($0.rawValue) })
    }
    try g.setAttribute("evaluation.weights", array: c.evaluation.weights)
    try g.setAttribute("evaluation.repetitions", Int64(c.evaluation.repetitions))
    try g.setAttribute("evaluation.championRetests", Int64(c.evaluation.championRetests))
    try g.setAttribute("evaluation.weightMode", c.evaluation.weightMode)
    try g.setAttribute("evaluation.fixedWeight", c.evaluation.fixedWeight)
    try g.setAttribute("evaluation.randomLow", c.evaluation.randomLow)
    try g.setAttribute("evaluation.randomHigh", c.evaluation.randomHigh)
    try g.setAttribute("evaluation.randomDraws", Int64(c.evaluation.randomDraws))
    try g.setAttribute("evaluation.noiseSigma", c.evaluation.noiseSigma)
    try g.setAttribute("evaluation.batchSize", Int64(c.evaluation.batchSize))
    try g.setAttribute("ranking.connectionObjectiveProbability", c.ranking.connectionObjectiveProbability)
    try g.setAttribute("searchSpace.recurrent", Int8(c.searchSpace.recurrent ? 1 : 0))
    try g.setAttribute("searchSpace.outputToOutput", Int8(c.searchSpace.outputToOutput ? 1 : 0))
  }

  /// Writes one generation and flushes the file.
  public func write(_ r: GenerationResult) throws {
    do {
      let g = try generations.createGroup(ArchiveSchema.generationName(r.summary.generation))
      try Self.writeGenomes(r.population.map(\.genome), to: g)
      let a = r.assessment
      let n = r.population.count
      let elite = Set(r.eliteIndices)
      try g.writeTable("genomes", [
        .int32("index", (0..<n).map { Int32($0) }),
        .int8("origin", r.population.map { ArchiveSchema.code($0.origin) }),
        .int32("parent", r.population.map { Int32($0.parent ?? -1) }),
        .float64("mean_reward", a.meanReward),
        .float64("max_reward", a.maxReward),
        .int32("connections", a.connections.map { Int32($0) }),
        .int32("nodes", r.population.map { Int32($0.genome.nodes.count) }),
        .int32("hidden", r.population.map { Int32($0.genome.hiddenCount) }),
        .int32("rank", a.rank.map { Int32($0) }),
        .int32("front", a.front.map { Int32($0) }),
        .int8("elite", (0..<n).map { elite.contains($0) ? 1 : 0 }),
      ])
      try g.writeArray("rewards", a.rewards.values, shape: [a.rewards.genomes, a.rewards.repetitions, a.rewards.weights])
      try g.writeArray("weights", r.weights, shape: [r.weights.count], compress: false)
      try g.writeArray("episode_streams", r.episodeStreams, shape: [r.episodeStreams.count], compress: false)
      let s = r.summary
      try g.setAttribute("generation", Int64(s.generation))
      try g.setAttribute("seconds", s.seconds)
      try g.setAttribute("wall_time", Self.timestamp())
      try g.setAttribute("steps", Int64(s.steps))
      try g.setAttribute("ranked_on_connections", Int8(s.rankedOnConnections ? 1 : 0))
      try g.setAttribute("best_index", Int64(a.best))
      try g.setAttribute("best_mean_reward", s.best)
      try g.setAttribute("mean_mean_reward", s.mean)
      try g.setAttribute("median_mean_reward", s.median)
      try g.setAttribute("next_node_id", Int64(r.record.nextNodeID))
      try g.setAttribute("next_innovation", r.record.nextInnovation)
      if let t = r.retest {
        try g.writeArray("champion_retest", t.rewards.values, shape: [t.rewards.repetitions, t.rewards.weights])
        try g.setAttribute("retest_index", Int64(t.index))
        try g.setAttribute("retest_accepted", Int8(t.accepted ? 1 : 0))
      }
      if let c = r.champion {
        try g.setAttribute("champion_generation", Int64(c.generation))
        try g.setAttribute("champion_index", Int64(c.index))
        try g.setAttribute("champion_search_mean", c.searchMean)
        try g.setAttribute("champion_retest_mean", c.retestMean)
      }
      try g.setAttribute("complete", Int8(1))
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Node and connection tables of a list of genomes (column `genome` = position in the list).
  static func writeGenomes(_ genomes: [Genome], to g: H5Group) throws {
    var nGenome: [Int32] = [], nID: [Int32] = [], nKind: [Int8] = [], nAct: [Int8] = []
    var cGenome: [Int32] = [], cInnov: [Int64] = [], cSource: [Int32] = [], cTarget: [Int32] = [], cEnabled: [Int8] = []
    var cRecurrent: [Int8] = []
    for (i, genome) in genomes.enumerated() {
      for n in genome.nodes {
        nGenome.append(Int32(i)); nID.append(n.id.rawValue); nKind.append(ArchiveSchema.code(n.kind))
        nAct.append(Int8(n.activation.rawValue))
      }
      for c in genome.connections {
        cGenome.append(Int32(i)); cInnov.append(c.innovation.rawValue); cSource.append(c.source.rawValue)
        cTarget.append(c.target.rawValue); cEnabled.append(c.isEnabled ? 1 : 0); cRecurrent.append(c.isRecurrent ? 1 : 0)
      }
    }
    try g.writeTable("nodes", [.int32("genome", nGenome), .int32("id", nID), .int8("kind", nKind), .int8("activation", nAct)])
    try g.writeTable("connections", [
      .int32("genome", cGenome), .int64("innovation", cInnov), .int32("source", cSource), .int32("target", cTarget),
      .int8("enabled", cEnabled), .int8("recurrent", cRecurrent),
    ])
  }

  /// Stores a champion's test battery under `evaluation` (one dataset per block, with its axis
  /// labels, and a `summary` table of one score per condition).
  public func writeBattery(_ b: BatteryResult, noiseSigmas: [Double]) throws {
    do {
      if run.exists("evaluation") { try run.delete("evaluation") }
      let g = try run.createGroup("evaluation")
      for block in b.blocks {
        try g.writeArray(block.name, block.values, shape: block.shape)
        try g.setAttribute("\(block.name)_axes", block.axes.joined(separator: ","))
        if !block.weights.isEmpty { try g.writeArray("\(block.name)_weights", block.weights, shape: [block.weights.count], compress: false) }
      }
      try g.writeArray("noise_sigmas", noiseSigmas, shape: [noiseSigmas.count], compress: false)
      try g.setAttribute("condition_names", b.conditions.map(\.name).joined(separator: ";"))
      try g.writeArray("summary", b.conditions.map(\.score), shape: [b.conditions.count], compress: false)
      try g.setAttribute("complete", Int8(1))
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Marks the run finished and stores its champion under /champion. Call once at the end.
  public func finish(champion: Champion?) throws {
    do {
      if let c = champion {
        if run.exists(ArchiveSchema.championGroup) { try run.delete(ArchiveSchema.championGroup) }
        let g = try run.createGroup(ArchiveSchema.championGroup)
        try Self.writeGenomes([c.genome], to: g)
        try g.setAttribute("generation", Int64(c.generation))
        try g.setAttribute("index", Int64(c.index))
        try g.setAttribute("search_mean", c.searchMean)
        try g.setAttribute("retest_mean", c.retestMean)
      }
      try run.setAttribute("end_time", Self.timestamp())
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }
}

extension H5File {
  /// Creates a new archive file; an existing file is an error unless `force`, then replaced.
  static func createArchive(_ path: String, force: Bool) throws -> H5File {
    if FileManager.default.fileExists(atPath: path) {
      guard force else { throw ArchiveError.exists(path) }
      try FileManager.default.removeItem(atPath: path)
    }
    return try H5File(path: path, mode: .create)
  }
}
