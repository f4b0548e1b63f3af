import ArgumentParser
import Foundation
import WANNCore
import WANNTasks

/// One measured workload of `wann bench`.
struct BenchResult: Codable, Equatable {
  var workload: String
  var threads: Int
  var seconds: Double
  var steps: Int
  var rollouts: Int
  var stepsPerSecond: Double
  var rolloutsPerSecond: Double
  /// Search workload only.
  var generations: Int?
  var secondsPerGeneration: Double?
  /// Search workload only: a fingerprint of the final generation's statistics, equal for every
  /// thread count when the search is deterministic.
  var fingerprint: String?
}

struct BenchReport: Codable, Equatable {
  var build: String
  var cores: Int
  var results: [BenchResult]
}

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure environment steps/s, rollouts/s and seconds per generation.",
    discussion: """
      Two workloads, each for every thread count in --threads: re-scoring the original swing-up \
      champion (6 weights x --trials episodes) and --generations search generations at \
      population --population from scratch (paper settings, seed 1). Build with \
      `swift build -c release` first: debug builds are many times slower.
      """)

  @Option(help: "Original champion to re-score.")
  var genome = "../shared/reference/original-champions/swing.out"

  @Option(help: "Episodes per weight value in the re-scoring workload.")
  var trials = 100

  @Option(help: "Generations in the search workload.")
  var generations = 5

  @Option(help: "Population in the search workload.")
  var population = 192

  @Option(help: "Comma-separated thread counts to measure.")
  var threads = "1,2"

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  func validate() throws {
    if trials < 1 || generations < 1 || population < 2 {
      throw ValidationError("--trials and --generations must be at least 1, --population at least 2")
    }
  }

  func run() throws {
    let threadCounts = try threads.split(separator: ",").map { s -> Int in
      guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= 1 else {
        throw CLIError("bad --threads '\(threads)': expected a comma list of positive integers, e.g. 1,2")
      }
      return n
    }
    guard FileManager.default.fileExists(atPath: genome) else {
      throw CLIError("champion '\(genome)' not found: run from the repository root with ../shared beside it, or pass --genome PATH")
    }
    let champion = try Network(Inputs.genome(path: genome, task: .swingup))
    let weights = SearchConfig().evaluation.weights
    var results: [BenchResult] = []
    let clock = ContinuousClock()
    for t in threadCounts {
      let start = clock.now
      let (_, steps) = ParallelEvaluator(threads: t).evaluate(
        task: SwingUpTask(), networks: [champion], weights: weights, repetitions: trials,
        episodes: EpisodeKey(seed: 1, purpose: .benchmark))
      let s = SearchRun.seconds(clock.now - start)
      let rollouts = weights.count * trials
      results.append(BenchResult(workload: "rescore-" + (genome as NSString).lastPathComponent, threads: t, seconds: s, steps: steps, rollouts: rollouts,
                                 stepsPerSecond: Double(steps) / s, rolloutsPerSecond: Double(rollouts) / s))
      if !json { Output.line(row(results.last!)) }
    }
    for t in threadCounts {
      var config = SearchConfig.defaults(for: .swingup)
      config.population.size = population
      var run = try SearchRun(config: config, threads: t)
      var steps = 0, seconds = 0.0
      var last: GenerationSummary?
      for _ in 0..<generations {
        let s = run.runGeneration()
        steps += s.steps
        seconds += s.seconds
        last = s
      }
      let rollouts = generations * population * weights.count * config.evaluation.repetitions
      let fp = last.map { "best=\($0.best) mean=\($0.mean) median=\($0.median)" }
      results.append(BenchResult(workload: "search-pop\(population)", threads: t, seconds: seconds, steps: steps,
                                 rollouts: rollouts, stepsPerSecond: Double(steps) / seconds,
                                 rolloutsPerSecond: Double(rollouts) / seconds, generations: generations,
                                 secondsPerGeneration: seconds / Double(generations), fingerprint: fp))
      if !json { Output.line(row(results.last!)) }
    }
    #if DEBUG
      let build = "debug"
    #else
      let build = "release"
    #endif
    if json {
      Output.line(Output.json(BenchReport(build: build, cores: Inputs.coreCount, results: results)))
    } else if build == "debug" {
      Output.err("warning: this is a debug build; time a release build (swift build -c release)")
    }
  }

  func row(_ r: BenchResult) -> String {
    var s = Output.pad(r.workload, -22) + String(format: " threads %2d  %8.3f s  %12.0f steps/s  %9.0f rollouts/s", r.threads, r.seconds,
                   r.stepsPerSecond, r.rolloutsPerSecond)
    if let g = r.secondsPerGeneration { s += String(format: "  %.3f s/generation", g) }
    return s
  }
}
