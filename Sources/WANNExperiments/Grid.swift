import Foundation
import WANNArchive
import WANNCore

/// Which share of a grid one process runs (`--shard K/N`): the runs at positions p (0-based, in
/// the grid's order: an experiment's variants as its file lists them, then seeds 1...N; a
/// comparison's conditions as given, then seeds) with p mod N = K - 1. Dealing the runs out in
/// turn gives every shard the same number of runs (within one) and a mix of variants, so shards
/// of a grid whose variants cost differently still take about the same time.
public struct GridShard: Sendable, Equatable, CustomStringConvertible {
  /// 1...count.
  public let index: Int
  public let count: Int

  public static let whole = GridShard(uncheckedIndex: 1, count: 1)

  init(uncheckedIndex index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// Parses "K/N" (1 <= K <= N <= 100000).
  public init(parsing text: String) throws(ExperimentError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), (1...100_000).contains(n), (1...n).contains(k)
    else {
      throw ExperimentError(
        "bad shard '\(text)': write K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four shards")
    }
    self.init(uncheckedIndex: k, count: n)
  }

  /// Whether the run at `position` of the grid is this shard's.
  public func owns(position: Int) -> Bool { position % count == index - 1 }

  public var isWhole: Bool { count == 1 }
  public var description: String { "\(index)/\(count)" }

  /// The attribute value stored in a shard's archive (none for the whole grid).
  var stored: String? { isWhole ? nil : description }
}

/// What a multi-run archive holds of its grid, and the grid itself: the experiment file's or the
/// comparison's runs, in grid order.
public struct GridDescription: Equatable {
  public let kind: ArchiveKind
  public let task: String?
  /// Every run of the grid, in grid order (whether or not the archive holds it).
  public let runNames: [String]
  /// Archives whose identities differ are parts of different grids: an experiment's parsed
  /// definition, or a comparison's conditions, seeds, base config and trials.
  let identity: String
  /// The experiment definition's text, or nil for a comparison.
  public let experimentTOML: String?
  public let conditions: [String]
  public let seeds: [UInt64]
  public let baseConfigTOML: String?
  public let trials: Int?

  /// Reads the grid an archive belongs to.
  public static func read(_ contents: MultiRunReader, path: String) throws -> GridDescription {
    switch contents.kind {
    case .experiment:
      guard let text = contents.experimentTOML else {
        throw ExperimentError("\(path): experiment archive without its experiment definition")
      }
      let experiment: Experiment
      do { experiment = try Experiment(toml: text) } catch {
        throw ExperimentError("\(path): stored experiment definition does not read: \(error)")
      }
      return GridDescription(
        kind: .experiment, task: contents.task, runNames: ExperimentRunner.runNames(experiment),
        identity: identity(of: experiment), experimentTOML: text, conditions: [], seeds: [],
        baseConfigTOML: nil, trials: nil)
    case .comparison:
      let names = contents.conditions.flatMap { c in contents.seeds.map { "\(c)-s\($0)" } }
      let identity =
        "conditions=\(contents.conditions) seeds=\(contents.seeds) trials=\(contents.trials.map(String.init) ?? "?")\n"
        + (contents.baseConfigTOML ?? "")
      return GridDescription(
        kind: .comparison, task: contents.task, runNames: names, identity: identity, experimentTOML: nil,
        conditions: contents.conditions, seeds: contents.seeds, baseConfigTOML: contents.baseConfigTOML,
        trials: contents.trials)
    case .run:
      throw ExperimentError("\(path) is a single-run archive, not an experiment or comparison archive")
    }
  }

  /// An experiment's identity: what it runs, not how its file is laid out or commented.
  static func identity(of e: Experiment) -> String {
    let variants = e.variants.map { "[\($0.name)]\n\($0.config.tomlText)" }.joined(separator: "\n")
    return "\(e.name) \(e.task.rawValue) seeds=\(e.seeds) battery=\(e.battery)\n\(variants)"
  }
}

/// Opening a multi-run archive to run (a share of) its grid, and which runs are done.
enum GridArchive {
  /// Creates the archive with `create`, or continues it when it exists (and not `force`): every
  /// run it holds must be one the grid still asks for with the same settings, and the archive
  /// must be the same shard. Returns the writer and, for every run already done, its summary
  /// (`summary` gives nil for a run that is not done).
  static func open<Summary>(
    path: String, force: Bool, kind: ArchiveKind, shard: GridShard, wanted: [String: SearchConfig],
    create: () throws -> MultiRunWriter,
    summary: (ArchiveReader) throws -> Summary?
  ) throws -> (writer: MultiRunWriter, done: [String: Summary], continued: Bool) {
    guard FileManager.default.fileExists(atPath: path) && !force else { return (try create(), [:], false) }
    let contents = try MultiRunReader(path: path)
    guard contents.kind == kind else {
      throw ExperimentError(
        "\(path) is a \(contents.kind.rawValue) archive, not a \(kind.rawValue) archive; write to a new --out, or pass --force to replace it"
      )
    }
    if contents.shard != shard.stored {
      throw ExperimentError(
        """
        \(path) holds \(contents.shard.map { "shard \($0)" } ?? "the whole grid"), not \(shard.isWhole ? "the whole grid" : "shard \(shard)"); \
        give the same --shard as when it was started, or write to a new --out
        """)
    }
    var done: [String: Summary] = [:]
    for name in contents.runs {
      let r = try ArchiveReader(path: path, run: name)
      defer { try? r.close() }
      // A kept run must be the run the grid asks for: an edited variant would otherwise be
      // reported with results of its old settings. (Analysis settings never change a search:
      // a kept run keeps the ones it ran with.)
      if let config = wanted[name], r.config.searchOnly != config.searchOnly {
        throw ExperimentError(
          """
          \(path): run \(name) was made with other settings than it is given now \
          (stored: \(ExperimentRunner.differences(r.config.searchOnly, config.searchOnly).joined(separator: ", "))); \
          write to a new --out, or pass --force to start the archive over
          """)
      }
      if r.isFinished, let s = try summary(r) { done[name] = s }
    }
    return (try MultiRunWriter(appendingTo: path), done, true)
  }

  /// Whether a run of a `kind` archive is done: searched to the end and its champion tested (an
  /// experiment's battery, a comparison's final score).
  static func isDone(_ r: ArchiveReader, kind: ArchiveKind) throws -> Bool {
    guard r.isFinished else { return false }
    switch kind {
    case .experiment: return try r.batterySummary() != nil
    case .comparison: return try r.comparisonScore() != nil
    case .run: return true
    }
  }
}

extension ArchiveReader {
  /// A comparison run's final champion score, if it was stored completely (archives older than
  /// 0.7 keep the scores only in the finished comparison's table).
  public func comparisonScore() throws -> Double? {
    guard let e = try evaluation(), (try? e.string("kind")) == "comparison score" else { return nil }
    return try e.double("score")
  }

  /// A comparison run's final champion scored per shared weight (weights, mean over the trials
  /// at each), if stored (archives written before per-weight scores were kept have only the mean over weights).
  public func comparisonWeightMeans() throws -> (weights: [Double], means: [Double])? {
    guard let e = try evaluation(), (try? e.string("kind")) == "comparison score",
      let weights = try? e.doubles("weights"), let means = try? e.doubles("weight_means"), weights.count == means.count
    else { return nil }
    return (weights, means)
  }
}

/// Where each run of a grid stands, over one archive or the archives of its shards
/// (`wann experiment status`).
public struct GridStatus: Codable, Sendable {
  public enum State: String, Codable, Sendable {
    /// Searched to the end and its champion tested.
    case done
    /// Unfinished, in an archive whose writer is at work.
    case running
    /// Unfinished, with no writer at work (stopped or killed): run the command again and it is redone.
    case stopped
    /// In none of the archives.
    case missing
  }
  public struct Run: Codable, Sendable {
    public var name: String
    public var state: State
    /// The archive that holds it.
    public var archive: String?
    /// Generations stored (complete ones) and planned.
    public var generations: Int?
    public var target: Int?
  }
  public struct Archive: Codable, Sendable {
    public var path: String
    public var shard: String?
    /// "process PID (COMMAND)" while a wann process writes it.
    public var writer: String?
  }
  public var kind: String
  public var task: String?
  public var archives: [Archive]
  public var runs: [Run]
  public var counts: [String: Int]

  public static func read(_ paths: [String]) throws -> GridStatus {
    precondition(!paths.isEmpty)
    var grid: GridDescription?
    var found: [String: Run] = [:]
    var archives: [Archive] = []
    for path in paths {
      let contents = try MultiRunReader(path: path)
      let g = try GridDescription.read(contents, path: path)
      if let grid, grid.identity != g.identity || grid.kind != g.kind {
        throw ExperimentError(
          "\(path) belongs to another grid than \(paths[0]) (a different experiment file or comparison)")
      }
      grid = grid ?? g
      let writer = ArchiveLock.isHeld(path)
      archives.append(Archive(path: path, shard: contents.shard, writer: writer))
      let tableDone = contents.kind == .comparison && !contents.scores.isEmpty
      for name in contents.runs {
        let r = try ArchiveReader(path: path, run: name)
        defer { try? r.close() }
        let done = try tableDone || GridArchive.isDone(r, kind: contents.kind)
        let run = Run(
          name: name, state: done ? .done : (writer != nil ? .running : .stopped), archive: path,
          generations: r.completeGenerations.count, target: r.generationsTarget)
        // A run in two archives: the better state wins (a shard rerun elsewhere).
        if let seen = found[name], seen.state == .done { continue }
        found[name] = run
      }
    }
    let g = grid!
    var runs = g.runNames.map { found[$0] ?? Run(name: $0, state: .missing) }
    // Runs an archive holds that its grid no longer lists (a grid edited after it started).
    runs += found.keys.filter { !g.runNames.contains($0) }.sorted().map { found[$0]! }
    var counts: [String: Int] = [:]
    for r in runs { counts[r.state.rawValue, default: 0] += 1 }
    return GridStatus(kind: g.kind.rawValue, task: g.task, archives: archives, runs: runs, counts: counts)
  }
}

/// Joining the archives of a grid's shards into one archive (`wann experiment merge`).
public enum GridMerge {
  public struct Report: Codable, Sendable {
    public var out: String
    public var kind: String
    /// Runs copied, in grid order.
    public var merged: [String]
    /// Runs a shard holds unfinished (not copied: they run again when the merged archive is continued).
    public var unfinished: [String]
    /// Runs of the grid in no shard.
    public var missing: [String]
    /// Whether the merged comparison's table was written (every run done).
    public var comparisonFinished: Bool
  }

  /// Merges `shards` into a new archive `out`: every done run copied unchanged, in grid order.
  /// Refuses shards of different grids, a run held by two shards, a run the grid does not list,
  /// and a shard a writer is still at work on.
  public static func merge(shards: [String], into out: String, force: Bool) throws -> Report {
    guard !shards.isEmpty else { throw ExperimentError("merge needs at least one shard archive") }
    let outURL = URL(fileURLWithPath: out).standardizedFileURL.path
    var grid: GridDescription?
    var holder: [String: String] = [:]  // run -> shard that holds it
    var doneRuns: [String: String] = [:]  // run -> shard, done runs
    var unfinished: [String] = []
    var scores: [String: Double] = [:]
    var sample: SearchConfig?
    for path in shards {
      if URL(fileURLWithPath: path).standardizedFileURL.path == outURL {
        throw ExperimentError("\(path) is both a shard and the merged archive: write the merge to a new file")
      }
      if let writer = ArchiveLock.isHeld(path) {
        throw ExperimentError("\(path) is being written by \(writer); merge once that shard has finished")
      }
      let contents = try MultiRunReader(path: path)
      let g = try GridDescription.read(contents, path: path)
      if let grid {
        guard grid.kind == g.kind, grid.identity == g.identity else {
          throw ExperimentError(
            "\(path) is a shard of another grid than \(shards[0]) (a different experiment file or comparison); merge only shards of one grid"
          )
        }
      }
      grid = grid ?? g
      let tableDone = contents.kind == .comparison && !contents.scores.isEmpty
      for name in contents.runs {
        if let other = holder[name] {
          throw ExperimentError(
            "run \(name) is in both \(other) and \(path): shards must not overlap (were they run with the same --shard?)"
          )
        }
        guard g.runNames.contains(name) else {
          throw ExperimentError("\(path) holds run \(name), which its grid does not list")
        }
        holder[name] = path
        let r = try ArchiveReader(path: path, run: name)
        defer { try? r.close() }
        sample = sample ?? r.config
        if try GridArchive.isDone(r, kind: g.kind) || tableDone {
          doneRuns[name] = path
          if g.kind == .comparison { scores[name] = try r.comparisonScore() ?? .nan }
        } else {
          unfinished.append(name)
        }
      }
    }
    let g = grid!
    guard let taskName = g.task, let task = TaskKind(rawValue: taskName) else {
      throw ExperimentError("\(shards[0]): archive without a known task")
    }
    let writer: MultiRunWriter
    switch g.kind {
    case .experiment:
      writer = try MultiRunWriter(creatingExperiment: out, task: task, definition: g.experimentTOML!, force: force)
    default:
      writer = try MultiRunWriter(
        creating: out, task: task, conditions: g.conditions, seeds: g.seeds, baseConfigTOML: g.baseConfigTOML,
        trials: g.trials, force: force)
    }
    var merged: [String] = []
    do {
      for name in g.runNames {
        guard let shard = doneRuns[name] else { continue }
        try writer.copyRun(named: name, from: shard)
        merged.append(name)
      }
      var finished = false
      if g.kind == .comparison, merged.count == g.runNames.count, let sample {
        try SpaceComparison.storeTable(
          in: writer, task: task, conditions: g.conditions, seeds: g.seeds, scores: scores,
          generations: sample.generations, population: sample.population.size, trials: g.trials ?? 0)
        finished = true
      }
      try writer.close()
      return Report(
        out: out, kind: g.kind.rawValue, merged: merged, unfinished: unfinished.sorted(),
        missing: g.runNames.filter { holder[$0] == nil }, comparisonFinished: finished)
    } catch {
      writer.discard()
      throw error
    }
  }
}
