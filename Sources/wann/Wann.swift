import ArgumentParser
import WANNArchive
import WANNCore

struct Wann: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wann",
    abstract: "Weight Agnostic Neural Network search, evaluation and benchmarks.",
    discussion: """
      Search evolves network topologies whose connections all share one weight, scored over the \
      weight series (-2, -1, -0.5, 0.5, 1, 2) as in Gaier & Ha (2019). Runs are deterministic: \
      the same config and seed give the same results for any thread count.

      Weight lists start with a minus sign, so write them as given: --weights -2:2:41 \
      or --weights -2,-1,1,2 (both are accepted after --weights).
      """,
    version: "\(WANNVersion.string) (HDF5 \(ArchiveLibrary.hdf5Version))",
    subcommands: [
      SearchCommand.self, ResumeCommand.self, CompareCommand.self, ExperimentCommand.self, EvaluateCommand.self,
      ActCommand.self, ProfileCommand.self, BatteryCommand.self, ConditionsCommand.self, MemoryCommand.self,
      ClassifyCommand.self, DrawCommand.self, DataCommand.self, WalkerCommand.self, InspectCommand.self,
      ExportCommand.self, ConfigCommand.self, BenchCommand.self,
    ])
}
