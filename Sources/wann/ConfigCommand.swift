import ArgumentParser
import WANNCore

/// `wann config`: the settings a search would run with, every key documented.
struct ConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Print the config a search would use, each key with its meaning and its bounds.",
    discussion: """
      The task's paper defaults, then --config FILE, as `wann search` resolves them (before its \
      own overriding options). The output is a valid config file: save it, edit it, pass it to \
      --config. Each key's comment is its row of the config schema, the same text and bounds \
      the error messages use.
      """)

  @Option(
    help: "Task whose defaults to start from: \(TaskKind.namesForHelp). Default: the config's task, else swingup.")
  var task: TaskKind?

  @Option(help: "TOML config file to apply (e.g. experiments/swingup.toml).")
  var config: String?

  func run() throws {
    print(try Inputs.config(file: config, task: task).documentedTOML, terminator: "")
  }
}
