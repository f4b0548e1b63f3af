import ArgumentParser
import Foundation
import WANNCore
import WANNExperiments
import WANNTasks

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure environment steps/s, rollouts/s and seconds per generation.",
    discussion: """
      Workloads (--workloads, default rescore,search), each at every thread count of --thread-counts (default 1,2; --threads N: at N only): \
      `rescore` re-scores the original swing-up champion (6 weights x --trials episodes); \
      `search` runs --generations search generations at population --population from scratch \
      (paper settings, seed 1); `mnist` runs --mnist-generations generations of the paper's MNIST \
      search (population 960, needs scripts/fetch_data mnist); `gym` steps each of --gym-environments with wann's workers (1 and 2) and in a plain Python loop with a fixed action, interleaved --repetitions times, and reports the overhead and the 2-worker speed-up; `popgym` times POPGym's natively ported games (easy) natively and through the package (gym: bridge), 1 thread, interleaved; `exactness` checks the swing-up's exact \
      square (the C library's pow(x, 2.0), called only where it can differ from x * x; scalar and \
      lane forms) against pow itself, its one-call sincos against sin and cos, and the lane \
      environment's own sin and cos against the C library's, on --arguments arguments, times the \
      squares and the sin and cos, and checks the network's activation kernels (exp, tanh, \
      sin(pi x), cos(pi x)) against the C library on --kernel-arguments arguments each; it exits \
      with status 1 if any square, sin or cos disagrees or a kernel exceeds its error bound. Build with \
      `swift build -c release` first: debug builds are many times slower.
      """)

  @Option(
    help:
      "Original champion to re-score (default: reference/original-champions/swing.out in $WANN_REFERENCE_DIR, or of the checkout wann was built in)."
  )
  var genome: String?

  @Option(
    help: "Comma-separated workloads: \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ", ")).",
    transform: BenchCommand.workloads)
  var workloads: [BenchWorkload] = [.rescore, .search]

  @Option(
    help:
      "Arguments per activation kernel checked by the exactness workload (exp, tanh, sin(pi x), cos(pi x) against the C library)."
  )
  var kernelArguments = 10_000_000

  @Option(help: "Arguments checked by the exactness workload.")
  var arguments = 100_000_000

  @Flag(
    help:
      "Also time the original-semantics NumPy re-scoring (scripts/original_swingup.py, run from the repository root) interleaved with ours on 1 thread, and report the ratio per repetition."
  )
  var compareOriginal = false

  @Option(help: "With --compare-original: interleaved repetitions.")
  var repetitions = 3

  @Option(help: "With --compare-original: episodes per weight for the NumPy reference (it runs ~16,000 steps/s).")
  var originalTrials = 5

  @Option(help: "Episodes per weight value in the re-scoring workload.")
  var trials = 100

  @Option(help: "Generations in the search workload.")
  var generations = 5

  @Option(help: "Population in the search workload.")
  var population = 192

  @Option(
    help:
      "Generations in the mnist workload (the paper's search from its initial population; the mean seconds per generation is reported)."
  )
  var mnistGenerations = 1

  @Option(help: "Environments of the gym workload (comma-separated Gymnasium ids).", transform: BenchCommand.list)
  var gymEnvironments = BenchSettings().gymEnvironments

  @Option(help: "Environment steps per measurement of the gym workload (per worker).")
  var gymSteps = 200_000

  @Option(
    help: "Measure at this many worker threads only (as in every command); see --thread-counts.",
    transform: BenchCommand.threadCount)
  var threads: Int?

  @Option(help: "Comma-separated thread counts to measure (the default: 1,2).", transform: BenchCommand.threadCounts)
  var threadCounts: [Int]?

  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(trials, "trials", Limits.trials)
    try Limits.check(generations, "generations", 1...100_000)
    try Limits.check(population, "population", Limits.population)
    if arguments < 1 || arguments > 10_000_000_000 { throw ValidationError("--arguments must be in 1...10000000000") }
    try Limits.check(repetitions, "repetitions", 1...100)
    try Limits.check(originalTrials, "original-trials", 1...10_000)
    try Limits.check(gymSteps, "gym-steps", 1000...100_000_000)
    try Limits.check(mnistGenerations, "mnist-generations", 1...100_000)
    if threads != nil, threadCounts != nil { throw ValidationError("give --threads or --thread-counts, not both") }
  }

  /// The default champion: $WANN_REFERENCE_DIR's, else the checkout's reference folder (found
  /// from the binary, then the working directory).
  var championPath: String? {
    if let genome { return genome }
    let relative = "original-champions/swing.out"
    if let dir = ProcessInfo.processInfo.environment["WANN_REFERENCE_DIR"] { return dir + "/" + relative }
    return ProjectFiles.locate("reference/" + relative)
  }

  func run() throws {
    var settings = BenchSettings()
    settings.workloads = Set(workloads)
    settings.threadCounts = threads.map { [$0] } ?? threadCounts ?? settings.threadCounts
    if workloads.contains(.rescore) || compareOriginal {
      guard let path = championPath, FileManager.default.fileExists(atPath: path) else {
        throw CLIError(
          "champion '\(championPath ?? "reference/original-champions/swing.out")' not found: pass --genome PATH or set WANN_REFERENCE_DIR"
        )
      }
      settings.champion = (try Inputs.genome(path: path, task: .swingup), path)
    }
    (settings.trials, settings.generations, settings.population) = (trials, generations, population)
    (settings.mnistGenerations, settings.arguments, settings.kernelArguments) =
      (mnistGenerations, arguments, kernelArguments)
    (settings.compareOriginal, settings.repetitions, settings.originalTrials) =
      (compareOriginal, repetitions, originalTrials)
    (settings.gymEnvironments, settings.gymSteps) = (gymEnvironments, gymSteps)

    let report = try Benchmarks(settings).run { progress in
      if !output.json { progress.lines.forEach(Output.line) }
    }
    if output.json {
      Output.line(Output.json(report))
    } else if report.build == "debug" {
      Output.err("warning: this is a debug build; time a release build (swift build -c release)")
    }
    if let failure = report.exactness?.failure {
      Output.err("wann: " + failure)
      throw ExitCode(1)
    }
  }

  static func list(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  static func workloads(_ text: String) throws -> [BenchWorkload] {
    let names = list(text)
    guard !names.isEmpty else {
      throw ValidationError(
        "--workloads is empty: choose from \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return try names.map { n in
      guard let w = BenchWorkload(rawValue: n) else {
        throw ValidationError(
          "unknown workload '\(n)': choose from \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return w
    }
  }

  /// One thread count; a comma list (this option's meaning before 0.9) says where lists go now.
  static func threadCount(_ text: String) throws -> Int {
    if text.contains(",") {
      throw ValidationError(
        "--threads takes one count, as in every command; measure several with --thread-counts \(text)")
    }
    guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...ThreadOptions.maximum).contains(n) else {
      throw ValidationError("--threads must be in 1...\(ThreadOptions.maximum), not '\(text)'")
    }
    return n
  }

  static func threadCounts(_ text: String) throws -> [Int] {
    let counts = try list(text).map(threadCount)
    guard !counts.isEmpty else { throw ValidationError("--thread-counts is empty: give e.g. 1,2") }
    return counts
  }
}
