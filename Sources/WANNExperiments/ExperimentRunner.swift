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
      return a == b ? nil : "\(k.name) = \(SearchConfig.tomlLiteral(a) ?? "unset") (file: \(SearchConfig.tomlLiteral(b) ?? "unset"))"
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

  /// Runs what is missing. `evaluator` evaluates the searches (threads or MPI ranks); the test
  /// battery runs on `threads` local threads. `onContinue` hears how many runs were already
  /// finished when an existing archive is continued.
  public func run(force: Bool, evaluator: any GenerationEvaluator, threads: Int,
                  onContinue: (Int) -> Void = { _ in }, onRun: (RunReport) -> Void = { _ in }) throws {
    let task = try Tasks.make(experiment.task)
    var done = Set<String>()
    let writer: MultiRunWriter
    if FileManager.default.fileExists(atPath: archivePath) && !force {
      // A kept run must be the run this definition asks for: an edited variant would otherwise
      // be reported with results of its old settings.
      let wanted = Dictionary(uniqueKeysWithValues: runs.map { ($0.name, $0.config) })
      for name in try MultiRunReader(path: archivePath).runs {
        let r = try ArchiveReader(path: archivePath, run: name)
        if let config = wanted[name], r.config != config {
          throw ExperimentError("""
            \(archivePath): run \(name) was made with other settings than the experiment file now gives it \
            (stored: \(Self.differences(r.config, config).joined(separator: ", "))); \
            write to a new --out, or pass --force to start the archive over
            """)
        }
        if r.isFinished, try r.batterySummary() != nil { done.insert(name) }
        try r.close()
      }
      writer = try MultiRunWriter(appendingTo: archivePath)
      // A grown grid (more seeds or variants) keeps its runs; the archive now describes it.
      try writer.setExperimentDefinition(definition)
      onContinue(done.count)
    } else {
      writer = try MultiRunWriter(creatingExperiment: archivePath, task: experiment.task, definition: definition, force: force)
    }
    let all = runs
    let clock = ContinuousClock()
    let start = clock.now
    var ran = 0
    for (index, (name, config)) in all.enumerated() where !done.contains(name) {
      try writer.removeRun(named: name)
      let (archive, champion) = try SearchSession.runWhole(name, in: writer, config: config, task: task, evaluator: evaluator)
      guard let champion else { throw ExperimentError("\(name): no champion (0 generations?)") }
      let battery = experiment.battery.evaluate(try Network(champion.genome), task: task, evaluator: ParallelEvaluator(threads: threads),
                                                seriesWeights: SearchConfig.defaults(for: experiment.task).evaluation.weights)
      try archive.writeEvaluation { try battery.store(in: $0, noiseSigmas: experiment.battery.noiseSigmas) }
      ran += 1
      let elapsed = (clock.now - start).inSeconds
      onRun(RunReport(position: index + 1, total: all.count, name: name, championReward: champion.retestMean,
                      sweepMean: battery.conditions.first?.score, elapsed: elapsed,
                      remainingEstimate: elapsed / Double(ran) * Double(all.count - index - 1)))
    }
    try writer.close()
  }
}

/// The table of an experiment archive: variant x test condition, over seeds, with a
/// Mann-Whitney U test of each variant against the first (the baseline).
public struct ExperimentReport: Codable, Sendable {
  public struct Cell: Codable, Sendable {
    public var mean: Double
    public var ci95: Double
    public var p: Double?
    public var scores: [Double]
  }
  public var conditions: [String]
  public var variants: [String]
  public var cells: [[Cell]]

  /// Reads every finished run's battery summary from an experiment archive.
  public static func read(_ path: String) throws -> ExperimentReport {
    var variants: [String] = []
    var conditions: [String] = []
    var scores: [String: [[Double]]] = [:]  // variant -> condition -> seeds
    let contents = try MultiRunReader(path: path)
    // Variants in the order the experiment file lists them (the first is the baseline).
    let order = contents.experimentTOML.flatMap { try? Experiment(toml: $0) }?.variants.map(\.name) ?? []
    let rank = { (v: String) in order.firstIndex(of: v) ?? Int.max }
    for name in contents.runs.sorted(by: { runOrder($0, $1, rank) }) {
      let reader = try ArchiveReader(path: path, run: name)
      let summary = try reader.batterySummary()
      try reader.close()
      guard let summary else { continue }
      let variant = String(name[..<(name.range(of: "-s", options: .backwards)?.lowerBound ?? name.endIndex)])
      if conditions.isEmpty { conditions = summary.map(\.0) }
      if scores[variant] == nil {
        variants.append(variant)
        scores[variant] = Array(repeating: [], count: conditions.count)
      }
      for (i, (_, s)) in summary.enumerated() where i < conditions.count { scores[variant]![i].append(s) }
    }
    guard let baseline = variants.first else { throw ExperimentError("\(path) holds no finished run with a test battery yet") }
    let cells = variants.map { v in
      conditions.indices.map { c -> Cell in
        let x = scores[v]![c]
        let ci = Statistics.confidenceInterval95(x)
        let p = v == baseline ? nil : Statistics.mannWhitneyU(x, scores[baseline]![c]).p
        return Cell(mean: ci.mean, ci95: ci.halfWidth, p: p, scores: x)
      }
    }
    return ExperimentReport(conditions: conditions, variants: variants, cells: cells)
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
