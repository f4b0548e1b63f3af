import ArgumentParser
import Foundation
import WANNCore
import WANNDistributed
import WANNTasks

/// `--trials N --seed S`: the episodes a network plays at each weight value (`evaluate`,
/// `profile`, `memory`): trial t of every weight plays episode t of seed S, so the commands
/// agree episode for episode.
struct EpisodeOptions: ParsableArguments {
  @Option(help: "Episodes per weight value.")
  var trials = 100

  @Option(help: "Seed of the episodes.")
  var seed: UInt64 = 1

  func validate() throws { try Limits.check(trials, "trials", Limits.trials) }
}

/// `--threads`, for every command that evaluates networks.
struct ThreadOptions: ParsableArguments {
  static let maximum = 1024

  @Option(help: "Evaluation threads, 1...\(ThreadOptions.maximum) (default: all cores). Results do not depend on it.")
  var threads: Int?

  /// Every command that evaluates can run a gym: task, so it takes --python too.
  @OptionGroup var interpreter: PythonOption

  func validate() throws {
    if let threads, !(1...Self.maximum).contains(threads) {
      throw ValidationError("--threads must be in 1...\(Self.maximum), not \(threads)")
    }
  }

  /// The thread count to use.
  var count: Int { threads ?? Inputs.coreCount }

  /// The evaluator for searches: local threads, or the other MPI ranks under mpirun.
  var searchEvaluator: any GenerationEvaluator { Distributed.evaluator(threads: count) }

  /// A local evaluator (analysis and test batteries always run on this process).
  var localEvaluator: ParallelEvaluator { ParallelEvaluator(threads: count) }
}

/// `--env-kwargs`, for commands whose `--task` may be a Gymnasium environment.
struct EnvironmentOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Keyword arguments for a gym: task's environment, a JSON object, e.g. '{\"continuous\": true}'.",
      valueName: "json"))
  var envKwargs: String?

  /// `task` with these kwargs (an error for a built-in task, which takes none).
  func apply(to task: TaskKind?) throws -> TaskKind? {
    guard let envKwargs else { return task }
    let trimmed = envKwargs.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.hasPrefix("{") && trimmed.hasSuffix("}") else {
      throw CLIError("--env-kwargs must be a JSON object such as '{\"continuous\": true}', not \(envKwargs)")
    }
    guard let task else { throw CLIError("--env-kwargs needs --task gym:ENV_ID") }
    guard let t = task.with(environmentKwargs: trimmed) else {
      throw CLIError("--env-kwargs applies to gym: tasks only; \(task.rawValue) takes none")
    }
    return t
  }
}

/// The genome an analysis reads (`profile`, `conditions`, `memory`, `draw`): the argument, and
/// `--task` with `--env-kwargs` for genome files that do not name their task.
struct GenomeChoice: ParsableArguments {
  @Argument(
    help:
      "Genome: FILE.h5#champion, FILE.h5#GENERATION/INDEX (RUN/ in front in a multi-run archive), a .out or a .json genome."
  )
  var genome: String

  @Option(help: "Task of a .out/.json genome (archives know theirs).")
  var task: TaskKind?

  @OptionGroup var environment: EnvironmentOptions

  /// The task asked for on the command line (with its --env-kwargs), if any.
  func requestedTask() throws -> TaskKind? { try environment.apply(to: task) }

  /// The genome, its task and where it is stored.
  func resolve() throws -> AnalysisTarget { try AnalysisTarget.resolve(genome, task: try requestedTask()) }
}

/// `--python`: part of ThreadOptions, and on its own for the commands without `--threads`.
struct PythonOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Python interpreter for gym: tasks' worker processes (default: WANN_PYTHON, else the project's .venv, else python3).",
      valueName: "path"))
  var python: String?

  func validate() throws {
    // The workers are started deep inside evaluation: the choice travels as WANN_PYTHON.
    if let python {
      if python.isEmpty { throw ValidationError("--python must name an interpreter") }
      setenv("WANN_PYTHON", python, 1)
    }
  }
}

/// `--json`, for every command with a machine-readable form of its output.
struct JSONOption: ParsableArguments {
  @Flag(help: "Print JSON instead of text (one object, or one per generation for searches).")
  var json = false
}

/// The checked range of every number a user can give, with the message that names it: nothing
/// is allocated or run before these hold (absurd values used to trap or hang).
enum Limits {
  static let generations = SearchConfig.Ranges.generations
  static let population = SearchConfig.Ranges.populationSize
  static let trials = 1...1_000_000
  static let seeds = 1...10_000
  static let weightValues = 1...100_000
  /// Rollouts of one analysis request (weights x trials): about 8 bytes of results each.
  static let rollouts = 1...50_000_000

  /// Throws "--NAME must be in LO...HI, not V" when `value` is set and outside `range`.
  static func check(_ value: Int?, _ name: String, _ range: ClosedRange<Int>) throws {
    if let value, !range.contains(value) {
      throw ValidationError("--\(name) must be in \(range.lowerBound)...\(range.upperBound), not \(value)")
    }
  }

  /// Throws when `weights` x `trials` rollouts exceed what one request may ask for.
  static func checkRollouts(weights: Int, trials: Int) throws {
    if weights * trials > rollouts.upperBound {
      throw CLIError(
        "\(weights) weights x \(trials) trials = \(weights * trials) rollouts: at most \(rollouts.upperBound) in one request"
      )
    }
  }
}

/// `--profile-every N`, `--battery-every N`, `--analysis-budget N`: the per-generation analysis
/// (`[analysis]` in a config; docs/performance.md says what it costs). Never changes the search.
struct AnalysisOptions: ParsableArguments {
  @Option(
    help: "While searching: weight profile of the champion of every N-th generation and of every new champion (0: off)."
  )
  var profileEvery: Int?

  @Option(
    help: "While searching: test battery (sweep, fixed weights, random weights, noise) of the same champions (0: off).")
  var batteryEvery: Int?

  @Option(
    help: "Rollouts per generation, on average, the analyses may spend (champion-change analyses are skipped past it).")
  var analysisBudget: Int?

  func validate() throws {
    try Limits.check(profileEvery, "profile-every", SearchConfig.Ranges.analysisEvery)
    try Limits.check(batteryEvery, "battery-every", SearchConfig.Ranges.analysisEvery)
    try Limits.check(analysisBudget, "analysis-budget", SearchConfig.Ranges.analysisBudget)
  }

  var isGiven: Bool { profileEvery != nil || batteryEvery != nil || analysisBudget != nil }

  func apply(to a: inout AnalysisConfig) {
    if let profileEvery { a.profileEvery = profileEvery }
    if let batteryEvery { a.batteryEvery = batteryEvery }
    if let analysisBudget { a.budget = analysisBudget }
  }
}
