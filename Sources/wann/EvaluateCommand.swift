import ArgumentParser
import Foundation
import WANNCore
import WANNTasks

/// The `--json` output of `wann evaluate`.
struct EvaluationReport: Codable, Equatable {
  var task: String
  var genome: String
  var seed: UInt64
  var weights: [Double]
  var mean: [Double]
  var std: [Double]
  var trials: [Int]
  var connections: Int
  var nodes: Int
}

struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Score a genome at a list of shared weight values.",
    discussion: """
      Prints the mean and standard deviation (n - 1) of the episode reward per weight value. \
      Trial t of every weight starts from the same episode (common random numbers), so the \
      profile's shape is not blurred by episode noise. Genomes: a run archive's champion \
      (runs/x.h5#champion) or any stored genome (runs/x.h5#GENERATION/INDEX), a .out file of the \
      original release (e.g. reference/original-champions/swing.out), a .json genome, or \
      FILE.json#INDEX for a genome of a `wann export` file.
      """)

  @Option(
    help:
      "Genome: FILE.h5#champion or FILE.h5#GENERATION/INDEX (a run archive), a .out file (original release) or a .json genome."
  )
  var genome: String

  @Option(help: "Task the genome solves (default: the archive's or JSON file's task, else swingup).")
  var task: TaskKind?

  @OptionGroup var environment: EnvironmentOptions

  @Option(
    parsing: .unconditional,
    help: "Weight values: a comma list (-2,-1,1,2) or lo:hi:n (e.g. -2:2:41). Default: -2,-1,-0.5,0.5,1,2.",
    transform: WeightList.parse)
  var weights: [Double] = WeightList.searchWeights

  @OptionGroup var episodes: EpisodeOptions
  var trials: Int { episodes.trials }
  var seed: UInt64 { episodes.seed }

  @OptionGroup var threads: ThreadOptions

  @OptionGroup var output: JSONOption

  func run() throws {
    let weightValues = weights
    try Limits.checkRollouts(weights: weightValues.count, trials: trials)
    let (g, task) = try Inputs.genome(reference: genome, task: try environment.apply(to: self.task))
    let network: Network
    do { network = try Network(g) } catch { throw CLIError("\(genome): cannot evaluate the genome: \(error)") }
    let evaluator = threads.localEvaluator
    let (rewards, _) = evaluator.evaluate(
      task: try Tasks.make(task), networks: [network], weights: weightValues, repetitions: trials,
      episodes: EpisodeKey(seed: seed, purpose: .evaluation))
    var means: [Double] = [], stds: [Double] = []
    for w in weightValues.indices {
      let column = (0..<trials).map { rewards[genome: 0, repetition: $0, weight: w] }
      means.append(Statistics.mean(column))
      stds.append(Statistics.standardDeviation(column))
    }
    let report = EvaluationReport(
      task: task.rawValue, genome: genome, seed: seed, weights: weightValues, mean: means,
      std: stds, trials: weightValues.map { _ in trials },
      connections: g.activeConnectionCount, nodes: g.nodes.count)
    if output.json {
      Output.line(Output.json(report))
      return
    }
    Output.line(
      "# \(genome): \(g.activeConnectionCount) connections, \(g.nodes.count) nodes; task \(task.rawValue), \(trials) trials per weight, seed \(seed)"
    )
    Output.line("#   weight      mean       std  trials")
    for i in weightValues.indices {
      Output.line(String(format: "%10.4f %9.2f %9.2f %7d", weightValues[i], means[i], stds[i], trials))
    }
    Output.line("# mean over weights: \(Output.fixed(Statistics.mean(means), 2))")
  }
}
