import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNDistributed
import WANNExperiments

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Run a WANN search; archive every generation (--out) and write the champion.",
    discussion: """
      Settings come from the task's paper defaults, then --config FILE (TOML, see experiments/), \
      then the options below. One line per generation goes to stdout: generation, best, mean and \
      median of the genomes' mean reward, the champion's re-tested reward, connections and nodes, \
      and seconds. With --json each line is instead one JSON object with the same fields.
      """)

  @Option(help: "Task to solve: \(TaskKind.namesForHelp). Default: the config's task, else swingup.")
  var task: TaskKind?

  @OptionGroup var environment: EnvironmentOptions

  @Option(help: "TOML config file (e.g. experiments/swingup.toml). Unknown keys are errors.")
  var config: String?

  @Option(help: "Random seed (overrides the config). Same seed and config give the same run.")
  var seed: UInt64?

  @Option(help: "Number of generations (overrides the config; paper: 1024).")
  var generations: Int?

  @Option(help: "Population size (overrides the config; paper: 192).")
  var population: Int?

  @Flag(help: "Allow recurrent links (self-loops and cycles, read with a one-step delay); see docs/recurrence.md.")
  var recurrent = false

  @Flag(help: "Allow links between output nodes.")
  var outputToOutput = false

  @Option(help: "Write every generation to this HDF5 run archive (see docs/hdf5-schema.md).")
  var out: String?

  @Option(help: "Where to write the champion genome (JSON). Default without --out: runs/<task>-s<seed>-champion.json.")
  var champion: String?

  @Flag(help: "Overwrite the archive and the champion file if they exist.")
  var force = false

  @OptionGroup var running: RunningOptions
  @OptionGroup var analysis: AnalysisOptions

  func validate() throws {
    try Limits.check(generations, "generations", Limits.generations)
    try Limits.check(population, "population", Limits.population)
  }

  func resolvedConfig() throws -> SearchConfig {
    var c = try Inputs.config(file: config, task: try environment.apply(to: task))
    if let seed { c.seed = seed }
    if let generations { c.generations = generations }
    if let population { c.population.size = population }
    if recurrent { c.searchSpace.recurrent = true }
    if outputToOutput { c.searchSpace.outputToOutput = true }
    analysis.apply(to: &c.analysis)
    do { try c.validate() } catch { throw CLIError("invalid settings: \(error)") }
    return c
  }

  func run() throws {
    let config = try resolvedConfig()
    // With --out the archive holds the champion; a JSON copy is written only when asked for.
    let championPath = champion ?? (out == nil ? "runs/\(config.task.fileStem)-s\(config.seed)-champion.json" : nil)
    if let championPath, FileManager.default.fileExists(atPath: championPath) && !force {
      throw CLIError(
        "\(championPath) already exists: pass --force to overwrite it or --champion PATH to write elsewhere")
    }
    // The default champion file goes to runs/, which is ours to create; a path the user gives
    // must be in a folder that exists.
    if champion == nil, let championPath { try SearchSession.prepareDirectory(for: championPath) }
    if let champion {
      let folder = PathText.folder(of: champion)
      if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
        throw CLIError(
          "cannot write the champion to \(champion): the folder \(folder) does not exist (create it first: mkdir -p \(folder))"
        )
      }
    }
    var session = try SearchSession.start(
      config: config, evaluator: running.threads.searchEvaluator, archivePath: out,
      championPath: championPath, force: force)
    if let out { Distributed.noteArchive(out, resume: "wann resume \(out)") }
    let loop = SearchLoop(json: running.output.json, quiet: running.quiet)
    loop.header(config, threads: running.threads.count, from: 0)
    try loop.run(&session, until: config.generations)
  }
}

/// Options shared by the commands that run generations (`search`, `resume`).
struct RunningOptions: ParsableArguments {
  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption

  @Flag(help: "No progress bar.")
  var quiet = false
}
