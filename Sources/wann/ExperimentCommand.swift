import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNDistributed
import WANNExperiments

struct ExperimentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "experiment",
    abstract: "Run an experiment grid (variants x seeds), in shards if you like, and report it.",
    subcommands: [
      ExperimentRunCommand.self, ExperimentReportCommand.self, ExperimentStatusCommand.self,
      ExperimentMergeCommand.self,
    ])
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

      --shard K/N runs only the runs at positions p (0-based, variants in file order, then seeds) \
      with p mod N = K-1, into its own archive: one process, job-array task or host per shard, \
      then `wann experiment merge OUT.h5 SHARD.h5...` (docs/distributed.md).

      The keys of an experiment file:
      """ + "\n" + Experiment.keyHelp)

  @Argument(help: "Experiment file (TOML), e.g. experiments/faq-ablations.toml.")
  var file: String

  @Option(help: "The experiment archive.")
  var out: String

  @Flag(help: "Start over: replace an existing archive instead of continuing it.")
  var force = false

  @Option(
    help: "Run only shard K of N of the grid (e.g. 2/4) into --out; merge the shards with `wann experiment merge`.")
  var shard: String?

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var analysis: AnalysisOptions

  func run() throws {
    let part = try shard.map { text in try Self.parseShard(text) } ?? .whole
    let text = try Inputs.readText(file, what: "experiment file")
    let runner: ExperimentRunner
    do { runner = try ExperimentRunner(definition: text, archivePath: out) } catch {
      throw CLIError("\(file): \(error)")
    }
    let shardFlag = part.isWhole ? "" : " --shard \(part)"
    Distributed.noteArchive(out, resume: "wann experiment run \(file) --out \(out)\(shardFlag)")
    let options = analysis
    try runner.run(
      force: force, shard: part, evaluator: threads.searchEvaluator, threads: threads.count,
      adjust: { options.apply(to: &$0.analysis) },
      onContinue: { Output.err("continuing \(out): \($0) run(s) already done, \($1) to run") },
      onRun: { r in
        let sweep = r.sweepMean.map { Output.fixed($0, 1) } ?? "-"
        Output.err(
          "[\(r.position)/\(r.total)] \(r.name): champion \(Output.fixed(r.championReward, 1)), sweep mean \(sweep); \(Output.duration(r.elapsed)) elapsed, ETA \(Output.duration(r.remainingEstimate))"
        )
      })
    if part.isWhole {
      Output.line(
        "experiment \(runner.experiment.name): \(runner.runs.count) runs in \(out); report with: wann experiment report \(out)"
      )
    } else {
      let count = runner.runs.indices.filter { part.owns(position: $0) }.count
      Output.line(
        "experiment \(runner.experiment.name), shard \(part): \(count) of \(runner.runs.count) runs in \(out); when every shard is done: wann experiment merge OUT.h5 SHARD.h5..."
      )
    }
  }

  /// "K/N" as a shard, or one clear line.
  static func parseShard(_ text: String) throws -> GridShard {
    do { return try GridShard(parsing: text) } catch { throw CLIError("\(error)") }
  }
}

struct ExperimentReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Table of variant x test condition: mean ± 95% CI over seeds, tests and effect sizes against the first variant.",
    discussion: """
      Each cell: mean ± 95% CI (t) of the runs' champions; [delta: Cliff's delta against the \
      baseline (the first variant), p: two-sided Mann-Whitney U, pH: p corrected by Holm's method \
      for every test in the table]. A second table gives the median difference from the baseline \
      with its 95% bootstrap interval. A comparison archive (`wann compare`) gets its table and \
      pairwise tests the same way; --score best-weight reads each final champion at its best \
      shared weight (the mean over the episodes at that weight) instead of over all weights, as \
      POPGym's MMER reads a policy by its best.
      """)

  /// How a comparison run's final champion is read.
  enum ComparisonScore: String, ExpressibleByArgument, CaseIterable {
    /// The mean over all shared weights and episodes: the search's own reading.
    case mean
    /// The best shared weight's mean over its episodes.
    case bestWeight = "best-weight"
  }

  @Argument(help: "The experiment (or comparison) archive.")
  var archive: String

  @Option(help: "Also write the table as Markdown to this file.")
  var markdown: String?

  @Option(
    help: "A comparison's score: mean (over all weights) or best-weight (each champion at its best shared weight).")
  var score: ComparisonScore = .mean

  @OptionGroup var output: JSONOption

  func run() throws {
    if try MultiRunReader(path: archive).kind == .comparison {
      try reportComparison()
      return
    }
    if score != .mean {
      throw CLIError("--score \(score.rawValue) reads a comparison archive (wann compare); \(archive) is an experiment")
    }
    let report = try ExperimentReport.read(archive)
    let (conditions, variants, cells, baseline) = (report.conditions, report.variants, report.cells, report.baseline)
    if output.json {
      Output.line(Output.json(report))
      return
    }
    var md = ""
    if report.isPartial, let planned = report.runsPlanned {
      md += """
        **Partial:** \(report.runsFinished) of \(planned) runs finished; the table, its tests and Holm's correction \
        cover those only (`wann experiment status \(archive)` lists the rest).


        """
    }
    md += "| variant (runs) | " + conditions.joined(separator: " | ") + " |\n"
    md += "|---|" + conditions.map { _ in "---|" }.joined() + "\n"
    for (i, v) in variants.enumerated() {
      md += "| \(v) (\(cells[i][0].scores.count)) |"
      for cell in cells[i] {
        md += " \(Output.fixed(cell.mean, 1)) ± \(cell.ci95.isNaN ? "-" : Output.fixed(cell.ci95, 1))"
        if let p = cell.p, let q = cell.pHolm, let d = cell.cliffsDelta {
          md += " [δ \(Self.signed(d, 2)), p \(Output.pValue(p)), pH \(Output.pValue(q))]"
        }
        md += " |"
      }
      md += "\n"
    }
    md += "\nMean reward of each run's champion under each test condition, mean ± 95% CI (t) over seeds."
    guard report.tests > 0 else {
      md +=
        variants.contains(baseline)
        ? " No other variant has a finished run yet: nothing is tested against \(baseline).\n"
        : " The baseline \(baseline) has no finished run yet: nothing is tested.\n"
      print(md, terminator: "")
      try writeMarkdown(md)
      return
    }
    md += """
       Against \(baseline): \
      δ = Cliff's delta (> 0: the variant scores higher; |δ| ≥ 0.474 is large), p = two-sided Mann-Whitney U, \
      pH = p corrected by Holm's method for all \(report.tests) tests in this table.

      | median difference from \(baseline) [95% bootstrap CI] | \(conditions.joined(separator: " | ")) |
      |---|\(conditions.map { _ in "---|" }.joined())

      """
    for (i, v) in variants.enumerated() where v != baseline {
      md += "| \(v) |"
      for cell in cells[i] {
        if let d = cell.medianDifference, let ci = cell.medianDifferenceCI95 {
          md += " \(Self.signed(d, 1)) [\(Self.signed(ci[0], 1)), \(Self.signed(ci[1], 1))] |"
        } else {
          md += " - |"
        }
      }
      md += "\n"
    }
    print(md, terminator: "")
    try writeMarkdown(md)
  }

  /// A comparison archive's table: per condition mean ± CI and median; per pair U, p, Holm's p,
  /// Cliff's delta and the median difference.
  func reportComparison() throws {
    let contents = try MultiRunReader(path: archive)
    guard !contents.scores.isEmpty else {
      throw CLIError(
        "\(archive): the comparison is not finished (no /comparison table yet); `wann experiment status \(archive)` says what is missing"
      )
    }
    let first = try contents.runs.first.map { try ArchiveReader(path: archive, run: $0) }
    let config = first?.config
    try first?.close()
    var scores = contents.scores
    if score == .bestWeight {
      scores = try scores.map { condition, values in
        (
          condition,
          try contents.seeds.prefix(values.count).map { seed -> Double in
            let name = "\(condition)-s\(seed)"
            let reader = try ArchiveReader(path: archive, run: name)
            defer { try? reader.close() }
            guard let (_, means) = try reader.comparisonWeightMeans() else {
              throw CLIError(
                "\(archive): run \(name) has no per-weight scores (written by an older wann): use --score mean, or run the comparison again"
              )
            }
            return means.max() ?? .nan
          }
        )
      }
    }
    let result = SpaceComparison(
      task: contents.task ?? "?", generations: config?.generations ?? 0, population: config?.population.size ?? 0,
      trials: contents.trials ?? 0, scores: scores)
    if output.json {
      Output.line(Output.json(result))
      return
    }
    var md = CompareCommand.markdown(result)
    if score == .bestWeight {
      md =
        "Score: each run's final champion at its best shared weight (its mean over the \(result.trials) episodes there).\n\n"
        + md
    }
    print(md, terminator: "")
    try writeMarkdown(md)
  }

  func writeMarkdown(_ md: String) throws {
    guard let markdown else { return }
    do { try Data(md.utf8).write(to: URL(fileURLWithPath: markdown), options: .atomic) } catch {
      throw CLIError("cannot write '\(markdown)': \(error.localizedDescription)")
    }
  }

  static func signed(_ x: Double, _ digits: Int) -> String {
    x.isNaN ? "-" : (x >= 0 ? "+" : "") + Output.fixed(x, digits)
  }
}

struct ExperimentStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Which runs of a grid are done, running, stopped or missing, over one archive or its shards.",
    discussion: """
      Give the experiment or comparison archive, or the archives of all its shards. done: searched \
      and its champion tested; running: unfinished while a wann process writes its archive; \
      stopped: unfinished with no writer (run the same command again: it is redone); missing: in \
      none of the archives. Exit status 0 whatever the state.
      """)

  @Argument(help: "The archive, or the shard archives, of one grid.")
  var archives: [String]

  @OptionGroup var output: JSONOption

  func validate() throws {
    if archives.isEmpty { throw ValidationError("give at least one archive") }
  }

  func run() throws {
    let status: GridStatus
    do { status = try GridStatus.read(archives) } catch let e as ExperimentError { throw CLIError(e.description) }
    if output.json {
      Output.line(Output.json(status))
      return
    }
    for a in status.archives {
      Output.line(
        "archive \(a.path)\(a.shard.map { " (shard \($0))" } ?? "")\(a.writer.map { ": written now by \($0)" } ?? "")")
    }
    for r in status.runs {
      var line = Output.pad(r.name, -24) + Output.pad(r.state.rawValue, -9)
      if let g = r.generations, let t = r.target { line += " \(g)/\(t) generations" }
      if let a = r.archive, status.archives.count > 1 { line += "  in \(a)" }
      Output.line(line)
    }
    let order: [GridStatus.State] = [.done, .running, .stopped, .missing]
    Output.line(
      "\(status.kind) (\(status.task ?? "?")): "
        + order.map { "\(status.counts[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        + " of \(status.runs.count) runs")
  }
}

struct ExperimentMergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Join the shard archives of one grid (experiment or comparison) into one archive.",
    discussion: """
      Copies every done run of the shards into OUT unchanged (bit for bit: the merged archive \
      equals the archive of the unsharded grid, timings aside). Refuses shards of different \
      experiment files or comparisons, a run held by two shards, and a shard still being \
      written. Unfinished runs are left out (they run again when OUT is continued with \
      `wann experiment run FILE --out OUT`, or `wann compare ... --out OUT`). A merged comparison \
      whose runs are all done gets its table and tests.
      """)

  @Argument(help: "The merged archive to write.")
  var out: String

  @Argument(help: "The shard archives.")
  var shards: [String]

  @Flag(help: "Overwrite OUT if it exists.")
  var force = false

  @OptionGroup var output: JSONOption

  func validate() throws {
    if shards.isEmpty { throw ValidationError("give the shard archives after OUT") }
  }

  func run() throws {
    let report: GridMerge.Report
    do { report = try GridMerge.merge(shards: shards, into: out, force: force) } catch let e as ExperimentError {
      throw CLIError(e.description)
    }
    if output.json {
      Output.line(Output.json(report))
      return
    }
    Output.line("merged \(report.merged.count) run(s) of \(shards.count) shard(s) into \(out)")
    if !report.unfinished.isEmpty { Output.line("left out, unfinished: \(report.unfinished.joined(separator: ", "))") }
    if !report.missing.isEmpty { Output.line("missing from every shard: \(report.missing.joined(separator: ", "))") }
    if report.kind == "comparison" && report.comparisonFinished {
      Output.line("comparison table written: wann experiment report \(out)")
    }
    if report.unfinished.isEmpty && report.missing.isEmpty && report.kind == "experiment" {
      Output.line("every run is done: wann experiment report \(out)")
    }
  }
}
