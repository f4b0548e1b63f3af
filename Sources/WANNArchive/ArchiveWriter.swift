import CArchiveJournal
import Foundation
import WANNCore

/// Writes a search into a run archive, one generation group at a time.
///
/// Crash safety: each generation's group is built unlinked (anonymous), its datasets written
/// once and never touched again, `complete` = 1 set last, the file flushed; only then is the group
/// linked under its name and the file flushed again. A run killed at any moment, or stopped by
/// a full disk, leaves every earlier generation readable and no half-written group under a name.
/// After a failed write the file is abandoned as its last successful flush left it (nothing more
/// is written, not even at exit), so `wann resume` continues from there once space is freed.
/// (Rewriting compressed datasets after a flush was seen to corrupt them under SIGKILL; see
/// docs/hdf5-schema.md.)
public final class ArchiveWriter {
  public let path: String
  let file: H5File
  /// Where this run's attributes and groups live: the file's root, or a run group of a
  /// comparison archive.
  let run: H5Location
  let generations: H5Group

  /// Our writer lock on the archive; nil for a run of a multi-run archive, whose
  /// `MultiRunWriter` holds the lock and owns (and closes) the file.
  let lock: ArchiveLock?
  /// Whether this writer owns the file (a single-run archive).
  var ownsFile: Bool { lock != nil }

  /// Creates a new archive for a search. Refuses to replace an existing file unless `force`.
  /// `inputLabels` and `outputLabels` name the task's inputs and outputs (stored for readers).
  /// `environment`: a Gymnasium task's description (JSON: spaces, versions, kwargs), stored as
  /// the run's `environment` attribute.
  public init(
    creating path: String, config: SearchConfig, inputLabels: [String], outputLabels: [String],
    environment: String? = nil,
    force: Bool
  ) throws {
    self.path = path
    lock = try ArchiveLock(archivePath: path, creating: true)
    var generations: H5Group?
    file = try H5File.createArchive(path, force: force, lock: lock) { file in
      try Self.writeFormat(file, kind: .run)
      generations = try Self.initializeRun(
        file, config: config, inputLabels: inputLabels, outputLabels: outputLabels,
        environment: environment)
    }
    run = file
    self.generations = generations!
  }

  /// Adds a run as group `runs/NAME` of a comparison archive opened by `MultiRunWriter`.
  init(
    file: H5File, path: String, runName: String, config: SearchConfig, inputLabels: [String], outputLabels: [String],
    environment: String?
  ) throws {
    self.path = path
    self.file = file
    lock = nil
    (run, generations) = try writingArchive(path, file: file) {
      if let runs = try? file.openGroup(file.runsGroupName), runs.exists(runName) { try runs.delete(runName) }
      // Built unlinked and linked once flushed, like a generation: a run cut short before its
      // first flush leaves no half-made group.
      let (group, pending) = try file.buildGroup([file.runsGroupName, runName]) { _, _ in }
      let generations = try Self.initializeRun(
        group, config: config, inputLabels: inputLabels, outputLabels: outputLabels,
        environment: environment)
      try pending.commit()
      try file.flush()
      return (group, generations)
    }
  }

  static func writeFormat(_ file: H5File, kind: ArchiveKind) throws {
    try file.setAttribute("format", ArchiveSchema.format)
    try file.setAttribute("format_version", ArchiveSchema.version)
    try file.setAttribute("kind", kind.rawValue)
    try file.setAttribute("software", "wann-swift")
    try file.setAttribute("software_version", WANNVersion.string)
    try file.setAttribute("host", ProcessInfo.processInfo.hostName)
    try file.setAttribute("node_kind_codes", ArchiveSchema.nodeKindLegend)
    try file.setAttribute("origin_codes", ArchiveSchema.originLegend)
  }

  /// Writes a run's attributes and config, and creates its generations group.
  static func initializeRun(
    _ file: H5Location, config: SearchConfig, inputLabels: [String], outputLabels: [String],
    environment: String?
  ) throws -> H5Group {
    try file.setAttribute("task", config.task.rawValue)
    if let environment { try file.setAttribute("environment", environment) }
    try file.setAttribute("seed", config.seed)
    try file.setAttribute("start_time", Self.timestamp())
    try file.setAttribute("config_toml", config.tomlText)
    try file.setAttribute("search_space", config.searchSpace.name)
    try file.setAttribute("input_labels", inputLabels.joined(separator: ","))
    try file.setAttribute("output_labels", outputLabels.joined(separator: ","))
    let cfg = try file.createGroup(ArchiveSchema.configGroup)
    try ArchiveSchema.writeConfigAttributes(config, to: cfg)
    return try file.createGroup(ArchiveSchema.generationsGroup)
  }

  /// Reopens an archive to append generations after `lastComplete`, removing a generation that
  /// was cut short.
  /// `lock`: the archive's lock when the caller took it already (to read the run before deciding
  /// to resume it), else taken here.
  public init(appendingTo path: String, lastComplete: Int?, generationsTarget: Int? = nil, lock: ArchiveLock? = nil)
    throws
  {
    self.path = path
    self.lock = try lock ?? ArchiveLock(archivePath: path)
    // A generation group that does not open (damage, or one that a wann older than the
    // journal left half-written on a full disk) cannot be deleted in place: refuse, and say
    // what reads (the README says how such an archive is rescued).
    if let damaged = try Self.unopenableGenerations(path).first {
      throw ArchiveError.corrupt(
        archive: path,
        why:
          "the group of generation \(damaged.name) is damaged (\(damaged.reason)); resume cannot continue this run: `wann inspect --check \(path)` lists the damage, and every other generation still reads (scripts/rescue_archive.py copies what reads into a new archive that `wann resume` continues)"
      )
    }
    let file: H5File
    do { file = try H5File(path: path, mode: .readWrite) } catch let e as HDF5Error {
      throw ArchiveError.notWritable(archive: path, cause: e)
    }
    self.file = file
    // A failed write abandons the file (never closed: closing would retry the failed flush).
    (run, generations) = try writingArchive(path, file: file) {
      let generations = try file.openGroup(ArchiveSchema.generationsGroup)
      for name in try generations.children() {
        guard let g = Int(name) else { continue }
        if lastComplete.map({ g > $0 }) ?? true { try generations.delete(name) }
      }
      try file.setAttribute("resumed_time", Self.timestamp())
      // Not finished until this resume finishes it (`finish`): a crash on the way leaves a run
      // that the next resume completes, champion included.
      if file.hasAttribute("end_time") { try file.deleteAttribute("end_time") }
      // A resume may go past the planned generations (`--generations N`): record the new target,
      // which readers prefer to the config's.
      if let generationsTarget { try file.setAttribute("generations_target", Int64(generationsTarget)) }
      try file.flush()
      return (file, generations)
    }
  }

  static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

  /// Generation groups that do not open, each with HDF5's reason.
  static func unopenableGenerations(_ path: String) throws -> [(name: String, reason: String)] {
    let file = try ArchiveReader.openFile(path: path, mode: .readOnly)
    defer { try? file.close() }
    return try readingArchive(path) {
      guard file.exists(ArchiveSchema.generationsGroup) else { return [] }
      let gens = try file.openGroup(ArchiveSchema.generationsGroup)
      return try gens.children().compactMap { name in
        do { _ = try gens.openGroup(name); return nil } catch { return (name, "\(error)") }
      }
    }
  }

  /// Closes the archive (a run of a multi-run archive leaves the file to its `MultiRunWriter`;
  /// a writer whose write failed leaves the file as it was).
  public func close() throws {
    defer { lock?.release() }
    guard ownsFile, !file.isAbandoned else { return }
    try writing {
      try file.commitPendingRename()
      try file.close()
    }
  }

  /// Runs a write; a failure abandons the file (`writingArchive(_:file:_:)`).
  private func writing<T>(_ body: () throws -> T) throws -> T { try writingArchive(path, file: file, body) }

  /// Builds `name` in `parent` unlinked, lets `body` fill it, marks it complete and flushes,
  /// then links it under its name and flushes again: readers see all of it or nothing.
  func writeGroup(_ name: String, in parent: H5Location, markComplete: Bool = true, _ body: (H5Group) throws -> Void)
    throws
  {
    try writing {
      let (g, pending) = try parent.buildGroup([name]) { _, _ in }
      try body(g)
      if markComplete { try g.setAttribute("complete", Int8(1)) }
      // Linked, then committed in one flush: the journal makes a commit all or nothing, so a
      // crash leaves the group whole and linked, or neither (before the journal, a flush
      // between the two kept a half-written group unlinked; a commit now costs syncs).
      try pending.commit()
      let committed = try file.flush()
      // A new archive takes its name once it holds something finished.
      let renamed = file.pendingRename != nil
      try file.commitPendingRename()
      if committed || renamed { wann_journal_trace_note("committed \(parent.path)/\(name)") }
    }
  }

  /// Writes one generation and flushes the file.
  public func write(_ r: GenerationResult) throws {
    try writeGroup(ArchiveSchema.generationName(r.summary.generation), in: generations) { g in
      try Self.writeGenomes(r.population.map(\.genome), to: g)
      let a = r.assessment
      let n = r.population.count
      let elite = Set(r.eliteIndices)
      try g.writeArray("weights", r.weights, shape: [r.weights.count], compress: false, ArchiveSchema.generationWeights)
      try g.writeTable(
        "genomes",
        [
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
        ], ArchiveSchema.genomesTable)
      try g.writeArray(
        "rewards", a.rewards.values, shape: [a.rewards.genomes, a.rewards.repetitions, a.rewards.weights],
        ArchiveSchema.generationRewards)
      try g.writeArray(
        "episode_streams", r.episodeStreams, shape: [r.episodeStreams.count], compress: false,
        ArchiveSchema.episodeStreams)
      let s = r.summary
      try g.setAttribute("generation", Int64(s.generation))
      try g.setAttribute("seconds", s.seconds)
      try g.setAttribute("wall_time", Self.timestamp())
      try g.setAttribute("steps", Int64(s.steps))
      try g.setAttribute("ranked_on_connections", Int8(s.rankedOnConnections ? 1 : 0))
      if let novelty = s.rankedOnNovelty { try g.setAttribute("ranked_on_novelty", Int8(novelty ? 1 : 0)) }
      try g.setAttribute("best_index", Int64(a.best))
      try g.setAttribute("best_mean_reward", s.best)
      try g.setAttribute("mean_mean_reward", s.mean)
      try g.setAttribute("median_mean_reward", s.median)
      try g.setAttribute("next_node_id", Int64(r.record.nextNodeID))
      try g.setAttribute("next_innovation", r.record.nextInnovation)
      if let t = r.retest {
        try g.writeArray(
          "champion_retest", t.rewards.values, shape: [t.rewards.repetitions, t.rewards.weights],
          ArchiveSchema.championRetest)
        try g.setAttribute("retest_index", Int64(t.index))
        try g.setAttribute("retest_accepted", Int8(t.accepted ? 1 : 0))
      }
      if let c = r.champion {
        try g.setAttribute("champion_generation", Int64(c.generation))
        try g.setAttribute("champion_index", Int64(c.index))
        try g.setAttribute("champion_search_mean", c.searchMean)
        try g.setAttribute("champion_retest_mean", c.retestMean)
      }
      if let sp = r.species { try Self.writeSpecies(sp, to: g) }
    }
  }

  /// A generation's species (`speciation.enabled`): the `species` table, each genome's species
  /// id, and the threshold and next id the next generation starts from. With the stored genomes,
  /// this is the whole state a resume needs (`ArchiveReader.speciesState(after:)`).
  static func writeSpecies(_ sp: SpeciesAssignment, to g: H5Group) throws {
    try g.writeTable(
      "species",
      [
        .int32("id", sp.species.map { Int32($0.id) }),
        .int32("members", sp.members.map { Int32($0.count) }),
        .int32("representative", sp.members.map { Int32($0[0]) }),
        .float64("best_mean_reward", sp.species.map(\.bestMean)),
        .int32("stagnant_generations", sp.species.map { Int32($0.stagnantGenerations) }),
        .int32("offspring", sp.offspring.map { Int32($0) }),
      ], ArchiveSchema.speciesTable)
    try g.writeArray(
      "genome_species", sp.speciesOfGenome.map { Int32(sp.species[$0].id) }, shape: [sp.speciesOfGenome.count],
      ArchiveSchema.genomeSpecies)
    try g.setAttribute("species_threshold", sp.next.threshold)
    try g.setAttribute("next_species_id", Int64(sp.next.nextID))
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
        cTarget.append(c.target.rawValue); cEnabled.append(c.isEnabled ? 1 : 0);
        cRecurrent.append(c.isRecurrent ? 1 : 0)
      }
    }
    try g.writeTable(
      "nodes", [.int32("genome", nGenome), .int32("id", nID), .int8("kind", nKind), .int8("activation", nAct)],
      ArchiveSchema.nodesTable)
    try g.writeTable(
      "connections",
      [
        .int32("genome", cGenome), .int64("innovation", cInnov), .int32("source", cSource), .int32("target", cTarget),
        .int8("enabled", cEnabled), .int8("recurrent", cRecurrent),
      ], ArchiveSchema.connectionsTable)
  }

  /// Stores the run's test battery in its `evaluation` group, replacing an older one: `body`
  /// writes the datasets, then `complete` = 1 is set and the file flushed.
  public func writeEvaluation(_ body: (ResultWriter) throws -> Void) throws {
    try writing { if run.exists(ArchiveSchema.evaluationGroup) { try run.delete(ArchiveSchema.evaluationGroup) } }
    try writeGroup(ArchiveSchema.evaluationGroup, in: run) { g in
      try body(ResultWriter(group: g, archive: path, path: run.path + "/" + ArchiveSchema.evaluationGroup))
    }
  }

  /// Replaces the run's stored config (a resume that changes its `[analysis]` settings, which
  /// never change the search): `config_toml` and the config group's attributes.
  public func updateConfig(_ config: SearchConfig) throws {
    try writing {
      try run.deleteAttribute("config_toml")
      try run.setAttribute("config_toml", config.tomlText)
      let group = try run.openGroup(ArchiveSchema.configGroup)
      for key in SearchConfig.schema where group.hasAttribute(key.name) { try group.deleteAttribute(key.name) }
      try ArchiveSchema.writeConfigAttributes(config, to: group)
      try file.flush()
    }
  }

  /// Stores an analysis result under a genome of this run while the search writes it (the same
  /// layout and write-once protocol as `AnalysisStore.newResult`).
  @discardableResult
  public func newResult(_ kind: String, generation: Int, index: Int, _ body: (ResultWriter) throws -> Void) throws
    -> String
  {
    try writing {
      try AnalysisStore.newResult(in: run, file: file, archive: path, kind, generation: generation, index: index, body)
    }
  }

  /// Complete analysis results of one kind stored for a genome of this run, oldest first.
  public func results(_ kind: String, generation: Int, index: Int) throws -> [StoredResult] {
    try AnalysisStore.results(in: run, archive: path, kind, generation: generation, index: index)
  }

  /// Genomes of this run that have analysis results.
  public func analysedGenomes() throws -> [GenomeRef] {
    try AnalysisStore.analysedGenomes(in: run, archive: path)
  }

  /// Marks the run finished and stores its champion under /champion. Call once at the end.
  public func finish(champion: Champion?) throws {
    if let c = champion {
      // The run is not finished while it has no champion: the old one and `end_time` go in one
      // commit, so no crash leaves a run that says it is finished and has none.
      try writing {
        if run.exists(ArchiveSchema.championGroup) { try run.delete(ArchiveSchema.championGroup) }
        if run.hasAttribute("end_time") { try run.deleteAttribute("end_time") }
      }
      try writeGroup(ArchiveSchema.championGroup, in: run, markComplete: false) { g in
        try Self.writeGenomes([c.genome], to: g)
        try g.setAttribute("generation", Int64(c.generation))
        try g.setAttribute("index", Int64(c.index))
        try g.setAttribute("search_mean", c.searchMean)
        try g.setAttribute("retest_mean", c.retestMean)
      }
    }
    try writing {
      try run.setAttribute("end_time", Self.timestamp())
      try file.flush()
    }
  }
}

extension H5File {
  /// Creates a new archive for `path` (whose `ArchiveLock` the caller holds). The file is
  /// written under `PATH.partial` and renamed over `path` once it holds a first finished
  /// generation (`commitPendingRename`), so a crash in the first moments never leaves a stub
  /// where a good file was, and `--force` replaces the old file only then. An existing `path`
  /// is refused unless `force`, except a stub left by an older wann killed in its first
  /// moments. A directory is never replaced.
  ///
  /// `setup` writes the new file's first contents, which are then flushed. Any failure, from
  /// creating the file on, is `ArchiveError.notCreated` and leaves no file behind.
  /// `lock`, the caller's, then also locks the new file itself (`ArchiveLock.holdFile`).
  static func createArchive(_ path: String, force: Bool, lock: ArchiveLock?, setup: (H5File) throws -> Void) throws
    -> H5File
  {
    let file: H5File
    do {
      file = try createArchiveFile(path, force: force)
      try lock?.holdFile(ArchiveFiles.partialPath(path))
    } catch let e as HDF5Error {
      throw ArchiveError.notCreated(archive: path, cause: e)
    } catch ArchiveError.incompatibleLibrary(_, let versions, let e) {
      // The archive's name, not its temporary one.
      throw ArchiveError.incompatibleLibrary(archive: path, versions: versions, cause: e)
    }
    try writingArchive(path, file: file) {
      try file.stamp()
      try setup(file)
      try file.flush()
    }
    return file
  }

  private static func createArchiveFile(_ path: String, force: Bool) throws -> H5File {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      if isDirectory.boolValue { throw ArchiveError.isDirectory(archive: path) }
      guard force || ArchiveFiles.isStub(path) else { throw ArchiveError.exists(archive: path) }
    }
    let parent = PathText.folder(of: path)
    if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) {
      throw ArchiveError.noDirectory(archive: path, folder: parent)
    }
    let partial = ArchiveFiles.partialPath(path)
    // Whatever a killed writer left under the temporary name goes, a symbolic link included
    // (removed itself, never what it points to: `fileExists` follows links and misses a dangling one).
    if unlink(partial) != 0 && errno != ENOENT { throw HDF5Error.system("cannot remove \(partial)") }
    let file = try H5File(path: partial, mode: .create)
    file.pendingRename = (partial, path)
    return file
  }

  /// Renames the new archive over its final name, once (see `createArchive`).
  func commitPendingRename() throws {
    guard let (from, to) = pendingRename else { return }
    // Commit first, so that no journal of this file is open across the rename; and remove a
    // journal that a killed writer of the file being replaced (`--force`) left at the new name:
    // it holds the old file's bytes and would "restore" them into this one.
    try flush(force: true)
    let staleJournal = ArchiveJournal.path(of: to)
    if unlink(staleJournal) != 0 && errno != ENOENT {
      throw HDF5Error.system("cannot remove \(staleJournal)")
    }
    // Renamed, and the folder synced: the name survives a power cut.
    if wann_journal_rename(from, to) != 0 {
      throw HDF5Error.system("cannot rename \(from) to \(to)")
    }
    try renamed(to: to)
    pendingRename = nil
  }
}

/// Names and checks of archive files on disk.
enum ArchiveFiles {
  /// Where a new archive is written until it holds a finished generation.
  static func partialPath(_ path: String) -> String { path + ".partial" }

  /// `path` with every symbolic link and ".." resolved (its folder's, for a file not made yet):
  /// every name of a file finds the same lock and journal beside it. The journaling driver's
  /// own resolution, so Swift and the driver always agree.
  static func canonical(_ path: String) -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard wann_journal_canonical_path(path, &buffer, buffer.count) == 0 else { return path }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The longest suffix of a file wann keeps beside an archive (the journal of a new archive
  /// still under its temporary name); the others are `.lock`, `.journal` and `.partial`.
  static let longestSidecarSuffix = ".partial.journal"

  /// Refuses an archive name that leaves no room for the files beside it: otherwise the first
  /// flush of a new archive fails to create its journal, long after the search started.
  static func checkNameLength(_ path: String) throws {
    let name = PathText.name(of: path)
    let folder = PathText.folder(of: path)
    let limit = pathconf(folder.isEmpty ? "." : folder, Int32(_PC_NAME_MAX))
    let longest = limit > 0 ? Int(limit) : 255
    if name.utf8.count + longestSidecarSuffix.utf8.count > longest {
      throw ArchiveError.nameTooLong(archive: path, limit: longest)
    }
  }

  /// A file at an archive's path that holds nothing worth keeping: empty, a truncated HDF5
  /// file (its signature and no more), or a run archive with no finished generation. Older
  /// versions left such stubs when killed in their first moments. (The caller holds the
  /// archive's lock, so no writer is filling it.)
  static func isStub(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
    let size = Int(info.st_size)
    if size == 0 { return true }
    guard let reader = try? ArchiveReader(path: path) else {
      // Not readable: a stub only if it is small and begins like an HDF5 file.
      // (The signature lies at 0, or after the user block that wann's archives have.)
      guard size < 65536, let handle = FileHandle(forReadingAtPath: path) else { return false }
      defer { try? handle.close() }
      let start = handle.readData(ofLength: H5File.userBlockSize + 8)
      let signature = Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
      return start.prefix(8) == signature || start.dropFirst(H5File.userBlockSize).prefix(8) == signature
    }
    defer { try? reader.close() }
    return reader.completeGenerations.isEmpty && !reader.isFinished
  }
}
