import ArgumentParser
import WANNDistributed
import WANNTasks

/// `--threads`, for every command that evaluates networks.
struct ThreadOptions: ParsableArguments {
  static let maximum = 1024

  @Option(help: "Evaluation threads, 1...\(ThreadOptions.maximum) (default: all cores). Results do not depend on it.")
  var threads: Int?

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

/// `--json`, for every command with a machine-readable form of its output.
struct JSONOption: ParsableArguments {
  @Flag(help: "Print JSON instead of text (one object, or one per generation for searches).")
  var json = false
}
