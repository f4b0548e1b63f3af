import ArgumentParser
import Foundation
import WANNAnalysis
import WANNArchive
import WANNCore
import WANNTasks

/// `wann conditions --json`.
struct ConditionsReport: Codable, Equatable {
  struct Row: Codable, Equatable {
    var key: String
    var title: String
    var mean: Double
    var std: Double
    var ci95: Double
    var trials: Int
  }
  var genome: String
  var task: String
  var connections: Int
  var seed: UInt64
  var trials: Int
  var conditions: [Row]
  var tunedSharedWeight: Double
  var tunedWeights: [Double]
  var tuningRollouts: Int
  var tuningGenerations: Int
  var stored: String?

  enum CodingKeys: String, CodingKey {
    case genome, task, connections, seed, trials, conditions, stored
    case tunedSharedWeight = "tuned_shared_weight", tunedWeights = "tuned_weights"
    case tuningRollouts = "tuning_rollouts", tuningGenerations = "tuning_generations"
  }
}

struct ConditionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conditions",
    abstract: "The paper's weight conditions for one network: random, random shared, tuned shared, tuned weights.",
    discussion: """
      Fills Table 1 of Gaier & Ha (2019) for one network, all four conditions on the same \
      --trials test episodes:
        random weights        each connection its own weight from U(-2, 2), drawn per episode
        random shared weight  one shared weight from U(-2, 2), drawn per episode
        tuned shared weight   the best value of the --grid (scored on separate tuning episodes)
        tuned weights         individual weights tuned by separable CMA-ES (a population-based
                              black-box optimiser) from the tuned shared weight on every
                              connection, spending --budget rollouts on tuning episodes
      Tuning never sees the test episodes, so the tuned rows are not flattered by selection on \
      their own noise. Results are stored in the archive under the genome \
      (analysis/GENERATION-INDEX/conditions/N) and printed.
      """)

  @OptionGroup var choice: GenomeChoice
  private var genome: String { choice.genome }

  @Option(help: "Test episodes per condition.")
  var trials = 100

  @Option(help: "Seed of all episodes and draws.")
  var seed: UInt64 = 1

  @Option(
    parsing: .unconditional,
    help: "Grid searched for the tuned shared weight (lo:hi:n or a comma list; default: -2:2:81).",
    transform: WeightList.parse)
  var grid: [Double] = WeightList.grid(-2, 2, 81)

  @Option(help: "Rollouts the weight optimiser may spend.")
  var budget = 20_000

  @Option(help: "Episodes each optimiser candidate is scored on.")
  var episodes = 4

  @Option(help: "Optimiser's initial step size (weight units).")
  var sigma = 0.25

  @Option(help: "Optimiser's candidates per generation (default 4 + floor(3 ln n), n = connections).")
  var population: Int?

  @OptionGroup var threads: ThreadOptions

  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(trials, "trials", 2...Limits.trials.upperBound)
    try Limits.check(budget, "budget", 1...100_000_000)
    try Limits.check(episodes, "episodes", 1...100_000)
    if !(sigma > 0) || !sigma.isFinite || sigma > 1e6 {
      throw ValidationError("--sigma must be positive and at most 1e6")
    }
    try Limits.check(population, "population", 2...100_000)
  }

  func run() throws {
    let task = try choice.requestedTask()
    try AnalysisTarget.refuseIfBeingWritten(genome)
    let target = try AnalysisTarget.resolve(genome, task: task)
    let settings = WeightConditions.Settings(
      trials: trials, seed: seed, sharedGrid: grid, budget: budget,
      episodesPerCandidate: episodes, initialSigma: sigma, populationSize: population)
    let evaluator = threads.localEvaluator
    let start = Date()
    let result: WeightConditions
    do {
      result = try WeightConditions.measure(
        try target.network(), task: try Tasks.make(target.task), settings: settings, evaluator: evaluator)
    } catch let e as WeightConditions.SettingsError {
      throw CLIError("\(genome): \(e)")
    }
    let seconds = Date().timeIntervalSince(start)
    let stored = try target.withStore {
      try $0?.store(result, generation: target.generation, index: target.index, task: target.task)
    }
    let report = ConditionsReport(
      genome: genome, task: target.task.rawValue, connections: target.genome.activeConnectionCount, seed: seed,
      trials: trials,
      conditions: result.conditions.map {
        .init(key: $0.key, title: $0.title, mean: $0.mean, std: $0.std, ci95: $0.ciHalfWidth, trials: $0.rewards.count)
      },
      tunedSharedWeight: result.tunedSharedWeight, tunedWeights: result.tunedWeights,
      tuningRollouts: result.tuning.last?.rollouts ?? 0, tuningGenerations: result.tuning.count, stored: stored)
    if output.json {
      Output.line(Output.json(report))
      return
    }
    Output.line(
      "# \(genome): \(target.genome.activeConnectionCount) connections; task \(target.task.rawValue); \(trials) test episodes per condition, seed \(seed)"
    )
    Output.line("# condition                          mean       std    +-ci95")
    for r in report.conditions {
      var title = r.title
      if r.key == "tuned_shared_weight" { title += " (w = \(Output.fixed(result.tunedSharedWeight, 3)))" }
      Output.line(
        Output.pad(title, -34) + Output.pad(Output.fixed(r.mean, 1), 7) + Output.pad(Output.fixed(r.std, 1), 10)
          + Output.pad(Output.fixed(r.ci95, 1), 10))
    }
    Output.line(
      "# tuned weights: separable CMA-ES, \(report.tuningGenerations) generations, \(report.tuningRollouts) tuning rollouts; \(Output.fixed(seconds, 1)) s in all"
    )
    if let stored, let path = target.archivePath {
      Output.line("# stored in \(path): \(stored)")
    } else {
      Output.line("# not stored: \(genome) is not in a run archive")
    }
  }
}
