import ArgumentParser
import Foundation
import WANNCore
import WANNDistributed
import WANNExperiments

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

  @OptionGroup var threads: ThreadOptions

  func run() throws {
    let text = try Inputs.readText(file, what: "experiment file")
    let runner: ExperimentRunner
    do { runner = try ExperimentRunner(definition: text, archivePath: out) } catch { throw CLIError("\(file): \(error)") }
    Distributed.noteArchive(out, resume: "wann experiment run \(file) --out \(out)")
    try runner.run(force: force, evaluator: threads.searchEvaluator, threads: threads.count,
                   onContinue: { Output.err("continuing \(out): \($0) run(s) already finished") },
                   onRun: { r in
                     let sweep = r.sweepMean.map { Output.fixed($0, 1) } ?? "-"
                     Output.err("[\(r.position)/\(r.total)] \(r.name): champion \(Output.fixed(r.championReward, 1)), sweep mean \(sweep); \(Output.duration(r.elapsed)) elapsed, ETA \(Output.duration(r.remainingEstimate))")
                   })
    Output.line("experiment \(runner.experiment.name): \(runner.runs.count) runs in \(out); report with: wann experiment report \(out)")
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

  @OptionGroup var output: JSONOption

  func run() throws {
    let report = try ExperimentReport.read(archive)
    let (conditions, variants, cells) = (report.conditions, report.variants, report.cells)
    let baseline = variants[0]
    if output.json {
      Output.line(Output.json(report))
      return
    }
    var md = "| variant (runs) | " + conditions.joined(separator: " | ") + " |\n"
    md += "|---|" + conditions.map { _ in "---|" }.joined() + "\n"
    for (i, v) in variants.enumerated() {
      md += "| \(v) (\(cells[i][0].scores.count)) |"
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

}
