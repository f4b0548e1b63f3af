import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNExperiments
import WANNTasks

/// One genome's battery in `wann battery --json`.
struct BatteryReport: Codable, Equatable {
  /// Generations whose champion (or best genome) this genome is.
  var generations: [Int]
  var genomeGeneration: Int
  var genomeIndex: Int
  var connections: Int
  var conditions: [String]
  var scores: [Double]
  var stored: String
  /// True when an identical battery was already stored (by the search or an earlier call).
  var reused: Bool

  enum CodingKeys: String, CodingKey {
    case generations, connections, conditions, scores, stored, reused
    case genomeGeneration = "genome_generation", genomeIndex = "genome_index"
  }
}

struct BatteryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "battery",
    abstract: "Test battery of a run's champions after the fact: weight sweep, fixed weights, random weights, noise.",
    discussion: """
      For archives made without `--battery-every`: the champion of every N-th generation (and of \
      the last; --best: each generation's best genome) faces the battery a search with \
      `[analysis]` runs as it goes (the run's own [analysis] battery settings, by default those of \
      experiments/swingup.toml: a 21-point sweep over [-2, 2], fixed weights 0.6/0.7/0.8, 50 \
      per-connection U(-2, 2) draws, noise 0.05...1 around the evaluation weights, 10 episodes \
      each), on the same episodes. Each distinct genome once; a battery with the same settings \
      already stored (by the search or an earlier call) is read back. Stored under the genome \
      (analysis/GENERATION-INDEX/battery/N).
      """)

  @Argument(help: "The run archive (FILE.h5), or one run of a multi-run archive (FILE.h5#RUN).")
  var archive: String

  @Option(help: "The champion of every N-th generation (and of the last).")
  var every: Int?

  @Option(help: "The champions of these generations (comma list, e.g. 0,64,128).")
  var generations: String?

  @Flag(help: "Each chosen generation's best genome (highest mean reward) instead of the champion so far.")
  var best = false

  @Option(help: "Episodes per weight value (default: the run's analysis.batteryTrials).")
  var trials: Int?

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(every, "every", 1...Limits.generations.upperBound)
    try Limits.check(trials, "trials", Limits.trials)
    if every != nil && generations != nil { throw ValidationError("give --every or --generations, not both") }
    if every == nil && generations == nil {
      throw ValidationError("give --every N or --generations LIST: which generations' champions to test")
    }
  }

  func run() throws {
    let reference = archive.contains("#") ? archive + (archive.hasSuffix("/champion") ? "" : "/champion") : archive
    try AnalysisTarget.refuseIfBeingWritten(reference)
    guard let (path, selector) = Inputs.archiveReference(reference) else {
      throw CLIError("give a run archive (FILE.h5, or FILE.h5#RUN in a multi-run archive), not \(archive)")
    }
    let choice = try GenerationChoice.parse(every: every, generations: generations)!
    let (reader, rest) = try AnalysisTarget.open(path: path, selector: selector)
    let chosen: [ChosenGenome]
    let runName = reader.runName, taskKind = reader.task
    var config = reader.config
    do {
      defer { try? reader.close() }
      guard rest.isEmpty || rest == ["champion"] else {
        throw CLIError(
          "wann battery picks the genomes itself: name the archive (or FILE.h5#RUN), not one genome (#\(selector))")
      }
      chosen = try choice.genomes(in: reader, best: best)
    }
    if let trials { config.analysis.batteryTrials = trials }
    let battery = Experiment.Battery(analysis: config.analysis)
    let signature = battery.signature(seriesWeights: config.evaluation.weights)
    let task = try Tasks.make(taskKind, batchSize: config.evaluation.batchSize)
    let store = try AnalysisStore(path: path, run: runName)
    var reports: [BatteryReport] = []
    do {
      let progress = ProgressLine(enabled: Output.stderrIsTerminal && !output.json, total: chosen.count)
      let start = Date()
      for (n, c) in chosen.enumerated() {
        let existing = try store.storedBatteries(generation: c.generation, index: c.index).first {
          $0.settings == signature
        }
        let conditions: [(String, Double)], storedPath: String
        if let existing {
          (conditions, storedPath) = (existing.summary, existing.path)
        } else {
          let network: Network
          do { network = try Network(c.genome) } catch {
            throw CLIError("genome \(c.generation)/\(c.index) cannot be evaluated: \(error)")
          }
          let result = battery.evaluate(
            network, genome: c.genome, task: task, evaluator: threads.localEvaluator,
            seriesWeights: config.evaluation.weights)
          storedPath = try store.store(
            result, battery: battery, seriesWeights: config.evaluation.weights,
            generation: c.generation, index: c.index, task: taskKind)
          conditions = result.conditions.map { ($0.name, $0.score) }
        }
        reports.append(
          BatteryReport(
            generations: c.standsFor, genomeGeneration: c.generation, genomeIndex: c.index,
            connections: c.genome.activeConnectionCount, conditions: conditions.map(\.0),
            scores: conditions.map(\.1), stored: storedPath, reused: existing != nil))
        progress.update(done: n + 1, elapsed: Date().timeIntervalSince(start), unit: "genomes")
      }
      progress.clear()
      try store.close()
    } catch {
      try? store.close()
      throw error
    }
    if output.json {
      struct Report: Codable {
        var archive: String; var task: String; var settings: String; var batteries: [BatteryReport]
      }
      Output.line(Output.json(Report(archive: path, task: taskKind.rawValue, settings: signature, batteries: reports)))
      return
    }
    guard let first = reports.first else { return }
    let sweep = battery.sweep
    Output.line(
      "# \(reports.count) genome(s), \(best ? "best genome" : "champion") of each chosen generation; battery: sweep \(sweep.first!)...\(sweep.last!) (\(sweep.count) weights) and fixed \(battery.fixed) x \(battery.trials) episodes, \(battery.randomDraws) random draws, noise \(battery.noiseSigmas)"
    )
    Output.line(
      Output.pad("# generations", -20) + Output.pad("genome", 9) + first.conditions.map { Output.pad($0, 16) }.joined())
    for r in reports {
      let gens =
        r.generations.count > 3
        ? "\(r.generations.first!)..\(r.generations.last!) (\(r.generations.count))"
        : r.generations.map(String.init).joined(separator: ",")
      Output.line(
        Output.pad(gens, -20) + Output.pad("\(r.genomeGeneration)/\(r.genomeIndex)", 9)
          + r.scores.map { Output.pad(Output.fixed($0, 1), 16) }.joined())
    }
    let reused = reports.filter(\.reused).count
    Output.line(
      "# stored in \(path) under analysis/ (battery)\(reused > 0 ? "; \(reused) already there, read back" : "")")
  }
}
