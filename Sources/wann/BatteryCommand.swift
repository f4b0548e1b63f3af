import ArgumentParser
import Foundation
import WANNCore
import WANNExperiments

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
    let (run, rest) = AnalysisTarget.split(selector)
    guard rest.isEmpty || rest == ["champion"] else {
      throw CLIError(
        "wann battery picks the genomes itself: name the archive (or FILE.h5#RUN), not one genome (#\(selector))")
    }
    let series = try RunSeries.read(
      path: path, run: run, choice: try GenerationChoice.parse(every: every, generations: generations)!, best: best)
    let progress = ProgressLine(enabled: Output.stderrIsTerminal && !output.json, total: series.genomes.count)
    let start = Date()
    let report = try series.batteries(trials: trials, evaluator: threads.localEvaluator) {
      progress.update(done: $0, elapsed: Date().timeIntervalSince(start), unit: "genomes")
    }
    progress.clear()
    if output.json {
      Output.line(Output.json(report))
      return
    }
    guard let first = report.batteries.first else { return }
    let battery = series.battery(trials: trials)
    let sweep = battery.sweep
    Output.line(
      "# \(report.batteries.count) genome(s), \(best ? "best genome" : "champion") of each chosen generation; battery: sweep \(sweep.first!)...\(sweep.last!) (\(sweep.count) weights) and fixed \(battery.fixed) x \(battery.trials) episodes, \(battery.randomDraws) random draws, noise \(battery.noiseSigmas)"
    )
    Output.line(
      Output.pad("# generations", -20) + Output.pad("genome", 9) + first.conditions.map { Output.pad($0, 16) }.joined())
    for r in report.batteries {
      Output.line(
        Output.pad(GenerationsLabel.text(r.generations), -20) + Output.pad("\(r.genomeGeneration)/\(r.genomeIndex)", 9)
          + r.scores.map { Output.pad(Output.fixed($0, 1), 16) }.joined())
    }
    let reused = report.batteries.filter(\.reused).count
    Output.line(
      "# stored in \(path) under analysis/ (battery)\(reused > 0 ? "; \(reused) already there, read back" : "")")
  }
}
