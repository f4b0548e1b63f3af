import ArgumentParser
import Foundation
import WANNAnalysis
import WANNCore
import WANNExperiments

struct ProfileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile",
    abstract: "Performance profile of a network: mean, std and 95% CI of the reward per shared weight value.",
    discussion: """
      The profile is stored in the archive under the genome it belongs to \
      (analysis/GENERATION-INDEX/profiles/N; docs/hdf5-schema.md) and printed. Trial t of every \
      weight plays the same episode (common random numbers; the same episodes as `wann evaluate` \
      with the same --seed). A profile with the same weights, trials and seed already stored is \
      read back, not recomputed.

      With --every N (or --generations LIST) it profiles the champion of every chosen generation \
      of a run in one call (the champion the run reported at the end of that generation; --best: \
      the generation's best genome by mean reward); a genome that is the champion of several \
      chosen generations is profiled once. scripts/plot_heatmap.py draws the result.
      """)

  @OptionGroup var choice: GenomeChoice
  private var genome: String { choice.genome }

  @Option(
    parsing: .unconditional, help: "Weight values: lo:hi:n or a comma list (default: -2:2:81).",
    transform: WeightList.parse)
  var weights: [Double] = WeightList.grid(-2, 2, 81)

  @OptionGroup var episodes: EpisodeOptions
  var trials: Int { episodes.trials }
  var seed: UInt64 { episodes.seed }

  @Option(help: "Profile the champion of every N-th generation (and of the last) instead of one genome.")
  var every: Int?

  @Option(help: "Profile the champions of these generations (comma list, e.g. 0,64,128).")
  var generations: String?

  @Flag(
    help:
      "With --every/--generations: the generation's best genome (highest mean reward) instead of the champion so far.")
  var best = false

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption

  func validate() throws {
    if trials < 2 { throw ValidationError("--trials must be at least 2 (a confidence interval needs two episodes)") }
    try Limits.check(every, "every", 1...Limits.generations.upperBound)
    if every != nil && generations != nil { throw ValidationError("give --every or --generations, not both") }
    if best && every == nil && generations == nil { throw ValidationError("--best needs --every or --generations") }
  }

  func run() throws {
    let task = try choice.requestedTask()
    try AnalysisTarget.refuseIfBeingWritten(genome)
    let weightValues = weights
    try Limits.checkRollouts(weights: weightValues.count, trials: trials)
    let settings = WeightProfile.Settings(weights: weightValues, trials: trials, seed: seed)
    let evaluator = threads.localEvaluator
    let manyGenerations = every != nil || generations != nil
    var reports: [ProfileReport] = []
    let taskKind: TaskKind
    var archivePath: String?
    let json = output.json

    if manyGenerations {
      guard let (path, selector) = Inputs.archiveReference(genome) else {
        throw CLIError(
          "--every/--generations profile the champions of a run: give a run archive (FILE.h5, or FILE.h5#RUN/champion in a multi-run archive), not \(genome)"
        )
      }
      let (run, rest) = AnalysisTarget.split(selector)
      guard rest.isEmpty || rest == ["champion"] else {
        throw CLIError(
          "--every/--generations pick the genomes themselves: name the archive (or FILE.h5#RUN/champion), not one genome (#\(selector))"
        )
      }
      let series = try RunSeries.read(
        path: path, run: run, choice: try GenerationChoice.parse(every: every, generations: generations)!, best: best)
      if let task, task != series.task {
        throw CLIError("\(path) holds a \(series.task.rawValue) run, not \(task.rawValue)")
      }
      (taskKind, archivePath) = (series.task, path)
      let progress = ProgressLine(enabled: Output.stderrIsTerminal && !json, total: series.genomes.count)
      let start = Date()
      reports = try series.profiles(settings: settings, evaluator: evaluator) {
        progress.update(done: $0, elapsed: Date().timeIntervalSince(start), unit: "genomes")
      }
      progress.clear()
    } else {
      let target = try AnalysisTarget.resolve(genome, task: task)
      taskKind = target.task
      archivePath = target.archivePath
      let outcome = try target.withStore { store in
        try ProfileOutcome.obtain(
          target.genome, generation: target.generation, index: target.index, task: target.task,
          settings: settings, evaluator: evaluator, store: store)
      }
      let ref = target.archivePath == nil ? nil : GenomeRef(generation: target.generation, index: target.index)
      reports.append(ProfileReport(outcome, genome: target.genome, ref: ref, generations: []))
    }

    if json {
      Output.line(Output.json(ProfilesReport(archive: archivePath, task: taskKind.rawValue, profiles: reports)))
      return
    }
    if reports.count == 1 && !manyGenerations {
      let r = reports[0]
      Output.line(
        "# \(genome): \(r.connections) connections; task \(taskKind.rawValue), \(trials) trials per weight, seed \(seed)"
      )
      Output.line("#   weight      mean       std   +-ci95")
      for i in r.weights.indices {
        Output.line(String(format: "%10.4f %9.2f %9.2f %8.2f", r.weights[i], r.mean[i], r.std[i], r.ci95[i]))
      }
      let bestI = r.bestWeightIndex
      Output.line(
        "# mean over weights \(Output.fixed(Statistics.mean(r.mean), 2)); best \(Output.fixed(r.mean[bestI], 2)) at w = \(r.weights[bestI])"
      )
    } else {
      Output.line(
        "# \(reports.count) genomes profiled at \(weightValues.count) weights x \(trials) trials (seed \(seed)); \(best ? "best genome" : "champion") of each chosen generation"
      )
      Output.line("# generations        genome  conns  mean-over-w   best-mean  at-w")
      for r in reports {
        let bestI = r.bestWeightIndex
        Output.line(
          Output.pad(GenerationsLabel.text(r.generations), -18)
            + Output.pad("\(r.genomeGeneration)/\(r.genomeIndex)", 8)
            + Output.pad("\(r.connections)", 7)
            + Output.pad(Output.fixed(Statistics.mean(r.mean), 2), 13) + Output.pad(Output.fixed(r.mean[bestI], 2), 12)
            + Output.pad(Output.fixed(r.weights[bestI], 3), 7))
      }
    }
    let stored = reports.compactMap(\.stored)
    if let archivePath, !stored.isEmpty {
      let reused = reports.filter(\.reused).count
      Output.line(
        "# stored in \(archivePath): \(stored.count == 1 ? stored[0] : "\(stored.count) profiles under analysis/")\(reused > 0 ? " (\(reused) already there, read back)" : "")"
      )
    } else if archivePath == nil {
      Output.line("# not stored: \(genome) is not in a run archive")
    }
  }
}
