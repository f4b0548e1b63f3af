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
      pair of conditions. Conditions: feedForward (ff), recurrent, outputToOutput (o2o), both.
      """)

  @Option(help: "Task: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var task: TaskKind?

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

  @Option(help: "The comparison archive to write.")
  var out: String

  @Flag(help: "Overwrite the archive if it exists.")
  var force = false

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(seeds, "seeds", Limits.seeds)
    try Limits.check(trials, "trials", Limits.trials)
    try Limits.check(generations, "generations", Limits.generations)
    try Limits.check(population, "population", Limits.population)
  }

  func run() throws {
    let chosen = try conditions.split(separator: ",").map { name -> ComparisonCondition in
      guard let c = ComparisonCondition.named(String(name)) else {
        throw CLIError("unknown condition '\(name)': use \(ComparisonCondition.all.map(\.name).joined(separator: ", "))")
      }
      return c
    }
    var base = try Inputs.config(file: config, task: task)
    if let generations { base.generations = generations }
    if let population { base.population.size = population }
    do { try base.validate() } catch { throw CLIError("invalid settings: \(error)") }
    let (result, names) = try SpaceComparison.run(
      base: base, conditions: chosen, seeds: seeds, trials: trials, archivePath: out, force: force,
      evaluator: threads.searchEvaluator, threads: threads.count,
      onRun: { Output.err("\($0.name): final champion scores \(Output.fixed($0.score, 2)) (\(Output.duration($0.elapsed)) elapsed)") })
    if output.json {
      Output.line(Output.json(result))
      return
    }
    Output.line("# \(result.task): \(seeds) seed(s) per condition, population \(result.population), \(result.generations) generations; final champions scored on \(trials) episodes x \(base.evaluation.weights.count) weights")
    Output.line(Output.pad("condition", -16) + Output.pad("runs", 6) + Output.pad("mean", 10) + Output.pad("95% CI", 10) + Output.pad("median", 10))
    for r in result.rows {
      Output.line(Output.pad(r.condition, -16) + Output.pad("\(r.runs)", 6) + Output.pad(Output.fixed(r.mean, 2), 10)
                  + Output.pad("±" + Output.fixed(r.ci95, 2), 10) + Output.pad(Output.fixed(r.median, 2), 10))
    }
    Output.line("Mann-Whitney U (two-sided):")
    for t in result.tests {
      Output.line("  " + Output.pad(t.a, -16) + " vs " + Output.pad(t.b, -16) + "  U = " + Output.pad(Output.fixed(t.u, 1), 6)
                  + "  p = " + String(format: "%.4f", t.p))
    }
    Output.line("# archive: \(out) (runs: \(out)#RUN/champion, e.g. \(out)#\(names[0][0])/champion)")
  }
}
