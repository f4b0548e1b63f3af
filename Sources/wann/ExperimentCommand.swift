import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNDistributed
import WANNTasks

struct ExperimentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "experiment",
    abstract: "Run an experiment grid (variants x seeds) and report it.",
    subcommands: [ExperimentRunCommand.self, ExperimentReportCommand.self])
}

struct ExperimentRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run every variant x seed of an experiment file into one archive.",
    discussion: """
      Each run's generations go to /experiments/VARIANT-sSEED; after its search, its champion faces the \
      experiment's test battery (weight sweep, fixed-weight neighbourhood, per-connection random \
      weights, each noise level), stored under /experiments/VARIANT-sSEED/evaluation. Runs one at a time \
      on all cores. Run the same command again to continue a stopped experiment: finished runs \
      are kept, an unfinished one is redone.
      """)

  @Argument(help: "Experiment file (TOML), e.g. experiments/faq-ablations.toml.")
  var file: String

  @Option(help: "The experiment archive.")
  var out: String

  @Flag(help: "Start over: replace an existing archive instead of continuing it.")
  var force = false

  @Option(help: "Evaluation threads (default: all cores).")
  var threads: Int?

  func run() throws {
    let text = try Inputs.readText(file, what: "experiment file")
    let experiment: Experiment
    do { experiment = try Experiment(toml: text) } catch { throw CLIError("\(file): \(error)") }
    let threads = self.threads ?? Inputs.coreCount
    let task = try Tasks.make(experiment.task)
    Distributed.noteArchive(out, resume: "wann experiment run \(file) --out \(out)")
    try SearchLoop.prepareDirectory(for: out)
    var done = Set<String>()
    let writer: MultiRunWriter
    if FileManager.default.fileExists(atPath: out) && !force {
      for name in try MultiRunReader(path: out).runs {
        let r = try ArchiveReader(path: out, run: name)
        if r.isFinished, try r.batterySummary() != nil { done.insert(name) }
      }
      writer = try MultiRunWriter(appendingTo: out)
      Output.err("continuing \(out): \(done.count) run(s) already finished")
    } else {
      writer = try MultiRunWriter(creatingExperiment: out, task: experiment.task, definition: text, force: force)
    }
    let all = experiment.variants.flatMap { v in (1...experiment.seeds).map { (v.name, v.config, UInt64($0)) } }
    let clock = ContinuousClock()
    let start = clock.now
    var ran = 0
    for (index, (variant, base, seed)) in all.enumerated() {
      let name = "\(variant)-s\(seed)"
      if done.contains(name) { continue }
      try writer.removeRun(named: name)
      var config = base
      config.seed = seed
      let archive = try writer.run(named: name, config: config, task: task)
      guard let champion = try SearchLoop.runQuietly(config, threads: threads, into: archive) else {
        throw CLIError("\(name): no champion (0 generations?)")
      }
      let battery = experiment.battery.evaluate(try Network(champion.genome), task: task, evaluator: ParallelEvaluator(threads: threads),
                                                seriesWeights: SearchConfig.defaults(for: experiment.task).evaluation.weights)
      try archive.writeBattery(battery, noiseSigmas: experiment.battery.noiseSigmas)
      ran += 1
      let elapsed = SearchRun.seconds(clock.now - start)
      let remaining = all.count - index - 1
      let eta = elapsed / Double(ran) * Double(remaining)
      let sweep = battery.conditions.first.map { Output.fixed($0.score, 1) } ?? "-"
      Output.err("[\(index + 1)/\(all.count)] \(name): champion \(Output.fixed(champion.retestMean, 1)), sweep mean \(sweep); \(Output.duration(elapsed)) elapsed, ETA \(Output.duration(eta))")
    }
    Output.line("experiment \(experiment.name): \(all.count) runs in \(out); report with: wann experiment report \(out)")
  }
}

struct ExperimentReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Table of variant x test condition: mean ± 95% CI over seeds, Mann-Whitney U p against the first variant.")

  @Argument(help: "The experiment archive.")
  var archive: String

  @Option(help: "Also write the table as Markdown to this file.")
  var markdown: String?

  @Flag(help: "Print one JSON object instead of Markdown.")
  var json = false

  struct Cell: Codable { var mean: Double; var ci95: Double; var p: Double?; var scores: [Double] }
  struct Report: Codable { var conditions: [String]; var variants: [String]; var cells: [[Cell]] }

  func run() throws {
    var variants: [String] = []
    var conditions: [String] = []
    var scores: [String: [[Double]]] = [:]  // variant -> condition -> seeds
    let contents = try MultiRunReader(path: archive)
    // Variants in the order the experiment file lists them (the first is the baseline).
    let order = contents.experimentTOML.flatMap { try? Experiment(toml: $0) }?.variants.map(\.name) ?? []
    let rank = { (v: String) in order.firstIndex(of: v) ?? Int.max }
    for name in contents.runs.sorted(by: { Self.runOrder($0, $1, rank) }) {
      guard let summary = try ArchiveReader(path: archive, run: name).batterySummary() else { continue }
      let variant = String(name[..<(name.range(of: "-s", options: .backwards)?.lowerBound ?? name.endIndex)])
      if conditions.isEmpty { conditions = summary.map(\.0) }
      if scores[variant] == nil {
        variants.append(variant)
        scores[variant] = Array(repeating: [], count: conditions.count)
      }
      for (i, (_, s)) in summary.enumerated() where i < conditions.count { scores[variant]![i].append(s) }
    }
    guard let baseline = variants.first else { throw CLIError("\(archive) holds no finished run with a test battery yet") }
    let cells = variants.map { v in
      conditions.indices.map { c -> Cell in
        let x = scores[v]![c]
        let ci = Statistics.confidenceInterval95(x)
        let p = v == baseline ? nil : Statistics.mannWhitneyU(x, scores[baseline]![c]).p
        return Cell(mean: ci.mean, ci95: ci.halfWidth, p: p, scores: x)
      }
    }
    let report = Report(conditions: conditions, variants: variants, cells: cells)
    if json {
      Output.line(Output.json(report))
      return
    }
    var md = "| variant (runs) | " + conditions.joined(separator: " | ") + " |\n"
    md += "|---|" + conditions.map { _ in "---|" }.joined() + "\n"
    for (i, v) in variants.enumerated() {
      md += "| \(v) (\(scores[v]![0].count)) |"
      for cell in cells[i] {
        md += " \(Output.fixed(cell.mean, 1)) ± \(cell.ci95.isNaN ? "-" : Output.fixed(cell.ci95, 1))"
        if let p = cell.p { md += " (p \(String(format: "%.3f", p)))" }
        md += " |"
      }
      md += "\n"
    }
    md += "\nMean reward of each run's champion under each test condition, mean ± 95% CI (t) over seeds; p: two-sided Mann-Whitney U against \(baseline).\n"
    print(md, terminator: "")
    if let markdown {
      do { try Data(md.utf8).write(to: URL(fileURLWithPath: markdown), options: .atomic) } catch {
        throw CLIError("cannot write '\(markdown)': \(error.localizedDescription)")
      }
    }
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
