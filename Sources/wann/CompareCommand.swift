import ArgumentParser
import Foundation
import WANNCore
import WANNExperiments

struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare search spaces (feed-forward, recurrent, output-to-output, both) over seeds.",
    discussion: """
      Runs one search per condition and seed with the same config, population and generations \
      (the same evaluation budget), all into one archive (runs/NAME under /runs). Each run's final \
      champion is then scored on the same --trials episodes per weight; the table gives the mean \
      and 95% confidence interval (t) per condition and a two-sided Mann-Whitney U test for every \
      pair of conditions, with the p corrected for all pairs (Holm), Cliff's delta and the median \
      difference with its 95% bootstrap interval. Conditions: feedForward (ff), recurrent, \
      outputToOutput (o2o), both.

      Run the same command again to continue a stopped comparison (runs done are kept; a larger \
      --seeds adds runs). --shard K/N runs only the runs at positions p (0-based: conditions as \
      given, then seeds) with p mod N = K-1 into its own archive; join the shards with \
      `wann experiment merge OUT.h5 SHARD.h5...` (docs/distributed.md).
      """)

  @Option(help: "Task: \(TaskKind.namesForHelp).")
  var task: TaskKind?

  @OptionGroup var environment: EnvironmentOptions

  @Option(help: "Base TOML config (its search space is replaced per condition).")
  var config: String?

  @Option(help: "Number of seeds per condition (seeds 1...N).")
  var seeds = 5

  @Option(help: "Generations per run (overrides the config).")
  var generations: Int?

  @Option(help: "Population size (overrides the config).")
  var population: Int?

  @Option(help: "Comma-separated conditions.")
  var conditions = "feedForward,recurrent,outputToOutput,both"

  @Option(help: "Episodes per weight value when scoring each final champion.")
  var trials = 100

  @Option(help: "The comparison archive to write (continued if it exists).")
  var out: String

  @Flag(help: "Overwrite the archive if it exists instead of continuing it.")
  var force = false

  @Option(
    help: "Run only shard K of N of the runs (e.g. 2/4) into --out; merge the shards with `wann experiment merge`.")
  var shard: String?

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption
  @OptionGroup var analysis: AnalysisOptions

  func validate() throws {
    try Limits.check(seeds, "seeds", Limits.seeds)
    try Limits.check(trials, "trials", Limits.trials)
    try Limits.check(generations, "generations", Limits.generations)
    try Limits.check(population, "population", Limits.population)
  }

  func run() throws {
    let chosen = try conditions.split(separator: ",").map { name -> ComparisonCondition in
      guard let c = ComparisonCondition.named(String(name)) else {
        throw CLIError(
          "unknown condition '\(name)': use \(ComparisonCondition.all.map(\.name).joined(separator: ", "))")
      }
      return c
    }
    var base = try Inputs.config(file: config, task: try environment.apply(to: task))
    if let generations { base.generations = generations }
    if let population { base.population.size = population }
    analysis.apply(to: &base.analysis)
    do { try base.validate() } catch { throw CLIError("invalid settings: \(error)") }
    let part = try shard.map { try ExperimentRunCommand.parseShard($0) } ?? .whole
    let outcome = try SpaceComparison.run(
      base: base, conditions: chosen, seeds: seeds, trials: trials, archivePath: out, force: force, shard: part,
      evaluator: threads.searchEvaluator, threads: threads.count,
      onContinue: { Output.err("continuing \(out): \($0) run(s) already done, \($1) to run") },
      onRun: {
        Output.err(
          "\($0.name): final champion scores \(Output.fixed($0.score, 2)) (\(Output.duration($0.elapsed)) elapsed)")
      })
    guard case .finished(let result) = outcome else {
      if case .partial(let done, let total) = outcome {
        if output.json {
          Output.line(Output.json(["archive": out, "shard": part.description, "done": "\(done)", "runs": "\(total)"]))
        } else {
          Output.line(
            "# \(out): \(done) of \(total) runs done (shard \(part)); when every shard is done: wann experiment merge OUT.h5 SHARD.h5..."
          )
        }
      }
      return
    }
    if output.json {
      Output.line(Output.json(result))
      return
    }
    Output.line(
      "# \(result.task): \(seeds) seed(s) per condition, population \(result.population), \(result.generations) generations; final champions scored on \(trials) episodes x \(base.evaluation.weights.count) weights"
    )
    print(Self.markdown(result), terminator: "")
    Output.line("# archive: \(out) (runs: \(out)#RUN/champion, e.g. \(out)#\(chosen[0].name)-s1/champion)")
  }

  /// The comparison's table and tests as Markdown (also `wann experiment report` on a comparison archive).
  static func markdown(_ result: SpaceComparison) -> String {
    func signed(_ x: Double, _ digits: Int) -> String { ExperimentReportCommand.signed(x, digits) }
    // Differences keep two decimals where the scores are small (POPGym's returns lie in [-1, 1]:
    // one decimal printed every difference as +0.0), one where they are large (the swing-up's).
    let largest = result.rows.flatMap(\.scores).filter(\.isFinite).map(abs).max() ?? 0
    let digits = largest < 10 ? 2 : 1
    var md = "| condition | runs | mean ± 95% CI | median |\n|---|---|---|---|\n"
    for r in result.rows {
      md +=
        "| \(r.condition) | \(r.runs) | \(Output.fixed(r.mean, 2)) ± \(r.ci95.isNaN ? "-" : Output.fixed(r.ci95, 2)) | \(Output.fixed(r.median, 2)) |\n"
    }
    md +=
      "\n| pair | U | p | p (Holm, \(result.tests.count) pairs) | Cliff's delta | median difference [95% bootstrap CI] |\n"
    md += "|---|---|---|---|---|---|\n"
    for t in result.tests {
      md +=
        "| \(t.a) vs \(t.b) | \(Output.fixed(t.u, 1)) | \(Output.pValue(t.p)) | \(Output.pValue(t.pHolm)) | "
        + "\(signed(t.cliffsDelta, 2)) (\(Statistics.cliffsDeltaMagnitude(t.cliffsDelta))) | "
        + "\(signed(t.medianDifference, digits)) [\(signed(t.medianDifferenceCI95[0], digits)), \(signed(t.medianDifferenceCI95[1], digits))] |\n"
    }
    md +=
      "\nMann-Whitney U two-sided; delta > 0 and a positive difference: the first condition of the pair scores higher.\n"
    return md
  }
}
