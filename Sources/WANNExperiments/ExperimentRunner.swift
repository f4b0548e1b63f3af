import Foundation
import WANNArchive
import WANNCore
import WANNTasks

/// Runs an experiment grid (every variant x seed) into one experiment archive: each run's
/// generations under /experiments/VARIANT-sSEED, then its champion's test battery under
/// .../evaluation. Resumable: finished runs (battery stored) are kept, an unfinished one is
/// redone from its start.
public struct ExperimentRunner {
  public let experiment: Experiment
  /// The experiment file's text (stored in the archive).
  public let definition: String
  public let archivePath: String

  public init(definition: String, archivePath: String) throws(ConfigError) {
    experiment = try Experiment(toml: definition)
    self.definition = definition
    self.archivePath = archivePath
  }

  /// "key = stored value (file: new value)" for each config key where `stored` and `new` differ.
  static func differences(_ stored: SearchConfig, _ new: SearchConfig) -> [String] {
    SearchConfig.schema.compactMap { k in
      let a = k.value(stored), b = k.value(new)
      return a == b
        ? nil
        : "\(k.name) = \(SearchConfig.tomlLiteral(a) ?? "unset") (file: \(SearchConfig.tomlLiteral(b) ?? "unset"))"
    }
  }

  /// The runs of the grid in order: variant by variant, seeds 1...N.
  public var runs: [(name: String, config: SearchConfig)] {
    experiment.variants.flatMap { v in
      (1...experiment.seeds).map { seed -> (String, SearchConfig) in
        var c = v.config
        c.seed = UInt64(seed)
        return ("\(v.name)-s\(seed)", c)
      }
    }
  }

  /// The names of an experiment's runs, in grid order.
  static func runNames(_ e: Experiment) -> [String] {
    e.variants.flatMap { v in (1...e.seeds).map { "\(v.name)-s\($0)" } }
  }

  /// One finished run, as it is reported while the grid runs.
  public struct RunReport: Sendable {
    public let position: Int
    public let total: Int
    public let name: String
    public let championReward: Double
    public let sweepMean: Double?
    public let elapsed: Double
    public let remainingEstimate: Double
  }

  /// Runs what is missing of `shard`'s share of the grid (all of it by default). `evaluator`
  /// evaluates the searches (threads or MPI ranks); the test battery runs on `threads` local
  /// threads. `onContinue` hears how many runs were already done when an existing archive is
  /// continued, and how many this process has to run.
  /// `adjust` changes every run's config before it runs (the command line's analysis options).
  public func run(
    force: Bool, shard: GridShard = .whole, evaluator: any GenerationEvaluator, threads: Int,
    adjust: (inout SearchConfig) -> Void = { _ in },
    onContinue: (_ done: Int, _ toRun: Int) -> Void = { _, _ in }, onRun: (RunReport) -> Void = { _ in }
  ) throws {
    let task = try Tasks.make(experiment.task)
    let all = runs.map { run -> (name: String, config: SearchConfig) in
      var c = run.config
      adjust(&c)
      return (run.name, c)
    }
    let (writer, done, continued) = try GridArchive.open(
      path: archivePath, force: force, kind: .experiment, shard: shard,
      wanted: Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.config) }),
      create: {
        try MultiRunWriter(
          creatingExperiment: archivePath, task: experiment.task, definition: definition, shard: shard.stored,
          force: force)
      },
      summary: { try $0.batterySummary() })
    let mine = all.indices.filter { shard.owns(position: $0) && done[all[$0].name] == nil }
    if continued {
      // A grown grid (more seeds or variants) keeps its runs; the archive now describes it.
      try writer.setExperimentDefinition(definition)
      onContinue(done.count, mine.count)
    }
    let clock = ContinuousClock()
    let start = clock.now
    var ran = 0
    for index in mine {
      let (name, config) = all[index]
      try writer.removeRun(named: name)
      let (archive, champion) = try SearchSession.runWhole(
        name, in: writer, config: config, task: task, evaluator: evaluator)
      guard let champion else { throw ExperimentError("\(name): no champion (0 generations?)") }
      let battery = experiment.battery.evaluate(
        try Network(champion.genome), task: task, evaluator: ParallelEvaluator(threads: threads),
        seriesWeights: SearchConfig.defaults(for: experiment.task).evaluation.weights)
      try archive.writeEvaluation { try battery.store(in: $0, noiseSigmas: experiment.battery.noiseSigmas) }
      ran += 1
      let elapsed = (clock.now - start).inSeconds
      onRun(
        RunReport(
          position: index + 1, total: all.count, name: name, championReward: champion.retestMean,
          sweepMean: battery.conditions.first?.score, elapsed: elapsed,
          remainingEstimate: elapsed / Double(ran) * Double(mine.count - ran)))
    }
    try writer.close()
  }
}

/// The table of an experiment archive: variant x test condition, over seeds, with a
/// Mann-Whitney U test of each variant against the first (the baseline), its p corrected by
/// Holm's method for the family of every such test in the table ((variants - 1) x conditions),
/// and two effect sizes: Cliff's delta and the median difference with a 95% bootstrap interval.
public struct ExperimentReport: Codable, Sendable {
  public struct Cell: Codable, Sendable {
    public var mean: Double
    public var ci95: Double
    public var median: Double
    /// Against the baseline (nil in the baseline's own row).
    public var p: Double?
    public var pHolm: Double?
    public var cliffsDelta: Double?
    /// median(variant) - median(baseline), and its 95% bootstrap interval.
    public var medianDifference: Double?
    public var medianDifferenceCI95: [Double]?
    public var scores: [Double]
  }
  /// How many tests Holm's correction counted.
  public var tests: Int
  public var conditions: [String]
  public var variants: [String]
  public var cells: [[Cell]]
  /// What the tests compare against: the experiment file's first variant (when the archive
  /// holds no readable experiment file, the first variant with a finished run).
  public var baseline: String
  /// Runs with a finished test battery (the ones in the table), and the runs the grid lists
  /// (nil when the archive holds no readable experiment file). While a grid is still running,
  /// `runsFinished < runsPlanned`: the table, its tests and Holm's correction cover the
  /// finished runs only, and grow as the grid goes on.
  public var runsFinished: Int
  public var runsPlanned: Int?

  /// True while runs of the grid are missing from the table.
  public var isPartial: Bool { runsPlanned.map { runsFinished < $0 } ?? false }

  /// Reads every finished run's battery summary from an experiment archive.
  public static func read(_ path: String) throws -> ExperimentReport {
    var variants: [String] = []
    var conditions: [String] = []
    var scores: [String: [[Double]]] = [:]  // variant -> condition -> seeds
    let contents = try MultiRunReader(path: path)
    // Variants in the order the experiment file lists them (the first is the baseline).
    let experiment = contents.experimentTOML.flatMap { try? Experiment(toml: $0) }
    let order = experiment?.variants.map(\.name) ?? []
    var finished = 0
    let rank = { (v: String) in order.firstIndex(of: v) ?? Int.max }
    for name in contents.runs.sorted(by: { runOrder($0, $1, rank) }) {
      let reader = try ArchiveReader(path: path, run: name)
      let summary = try reader.batterySummary()
      try reader.close()
      guard let summary else { continue }
      finished += 1
      let variant = String(name[..<(name.range(of: "-s", options: .backwards)?.lowerBound ?? name.endIndex)])
      if conditions.isEmpty { conditions = summary.map(\.0) }
      if scores[variant] == nil {
        variants.append(variant)
        scores[variant] = Array(repeating: [], count: conditions.count)
      }
      for (i, (_, s)) in summary.enumerated() where i < conditions.count { scores[variant]![i].append(s) }
    }
    guard let firstFinished = variants.first else {
      throw ExperimentError("\(path) holds no finished run with a test battery yet")
    }
    // A partial grid (a shard, a stopped run) may lack the baseline's runs: then nothing is
    // tested, rather than testing against whichever variant happened to finish first.
    let baseline = order.first ?? firstFinished
    var cells = variants.enumerated().map { vi, v in
      conditions.indices.map { c -> Cell in
        let x = scores[v]![c]
        let ci = Statistics.confidenceInterval95(x)
        var cell = Cell(mean: ci.mean, ci95: ci.halfWidth, median: Statistics.median(x), scores: x)
        if v != baseline, let base = scores[baseline]?[c] {
          cell.p = Statistics.mannWhitneyU(x, base).p
          cell.cliffsDelta = Statistics.cliffsDelta(x, base)
          let d = Statistics.medianDifference(x, base, stream: vi * conditions.count + c)
          cell.medianDifference = d.difference
          cell.medianDifferenceCI95 = [d.low, d.high]
        }
        return cell
      }
    }
    // Holm over the whole table: every variant against the baseline under every condition.
    let tested = cells.indices.flatMap { v in conditions.indices.compactMap { c in cells[v][c].p.map { _ in (v, c) } } }
    let adjusted = Statistics.holm(tested.map { cells[$0.0][$0.1].p! })
    for (k, (v, c)) in tested.enumerated() { cells[v][c].pHolm = adjusted[k] }
    return ExperimentReport(
      tests: tested.count, conditions: conditions, variants: variants, cells: cells, baseline: baseline,
      runsFinished: finished, runsPlanned: experiment.map { $0.variants.count * $0.seeds })
  }

  /// Orders runs by the variant's place in the experiment file, then by seed.
  static func runOrder(_ a: String, _ b: String, _ rank: (String) -> Int) -> Bool {
    func split(_ s: String) -> (String, Int) {
      guard let r = s.range(of: "-s", options: .backwards), let n = Int(s[r.upperBound...]) else { return (s, 0) }
      return (String(s[..<r.lowerBound]), n)
    }
    let x = split(a), y = split(b)
    if x.0 != y.0 { return rank(x.0) != rank(y.0) ? rank(x.0) < rank(y.0) : x.0 < y.0 }
    return x.1 < y.1
  }
}
