import Foundation
import WANNCore
import WANNTasks

/// What `wann bench` measures.
public enum BenchWorkload: String, CaseIterable, Sendable {
  case rescore, search, exactness, mnist, gym, popgym
}

/// One run of the benchmarks: which workloads, on which thread counts, how large. The CLI fills
/// it from its options; scripts may build one directly.
public struct BenchSettings: Sendable {
  public var workloads: Set<BenchWorkload> = [.rescore, .search]
  /// Every thread count each thread-swept workload (rescore, search, mnist) is measured at.
  public var threadCounts: [Int] = [1, 2]
  /// The champion the rescore workload and `compareOriginal` re-score, with the file it came from
  /// (named in the workload's label, passed to the NumPy reference).
  public var champion: (genome: Genome, path: String)?
  /// Episodes per weight value in the rescore workload.
  public var trials = 100
  public var generations = 5
  public var population = 192
  public var mnistGenerations = 1
  /// Arguments checked by the exactness workload's squares, and per activation kernel.
  public var arguments = 100_000_000
  public var kernelArguments = 10_000_000
  /// Also time the original-semantics NumPy re-scoring (scripts/original_swingup.py) beside ours.
  public var compareOriginal = false
  /// Interleaved repetitions of every side-by-side measurement (original, gym, popgym).
  public var repetitions = 3
  public var originalTrials = 5
  public var gymEnvironments = ["CartPole-v1", "Pendulum-v1"]
  public var gymSteps = 200_000

  public init() {}

  /// The champion both the rescore workload and the original comparison need, or the error that
  /// says how to name one.
  func requireChampion() throws -> (network: Network, path: String) {
    guard let champion else { throw ExperimentError("no champion to re-score: pass --genome PATH") }
    return (try Network(champion.genome), champion.path)
  }
}

/// One measured workload of `wann bench`.
public struct BenchResult: Codable, Equatable, Sendable {
  public var workload: String
  public var threads: Int
  public var seconds: Double
  public var steps: Int
  public var rollouts: Int
  public var stepsPerSecond: Double
  public var rolloutsPerSecond: Double
  /// Search workload only.
  public var generations: Int?
  public var secondsPerGeneration: Double?
  /// Search workload only: a fingerprint of the final generation's statistics, equal for every
  /// thread count when the search is deterministic.
  public var fingerprint: String?
  /// Busy lane-steps over the lane-steps the lane driver's network passes computed (8 per full
  /// pass, 4 per narrow one; rescore and search; nil where nothing ran in lanes): the share of
  /// the network's lane arithmetic that did work.
  public var laneOccupancy: Double?
}

/// The `exactness` workload: the swing-up's exact square (`PowSquare`) against the C library's
/// pow, its one-call sincos against sin and cos, and the lane environment's sin and cos
/// (`LaneTrigCheck`) against the C library's.
public struct ExactnessResult: Codable, Equatable, Sendable {
  public var arguments: Int
  public var mismatches: Int
  public var sinCosMismatches: Int
  /// The lanes' sin and cos against glibc's: values compared (two per argument), values that
  /// differ (must be 0), the share the lanes computed themselves, and how many of those lay 0.40
  /// ulp or more from the nearest double (the hardest kept).
  public var laneTrigValues: Int
  public var laneTrigMismatches: Int
  public var laneTrigFromLanes: Double
  public var laneTrigNearThreshold: Int
  /// Nanoseconds per argument for its sin and cos, one thread: glibc's sincos, and the lanes
  /// (eight arguments at a time, glibc where they hand a value on).
  public var nsSinCos: Double
  public var nsLaneSinCos: Double
  public var powDiffersFromProduct: Int
  public var slowPathFraction: Double
  /// Nanoseconds per square, one thread: the plain product, the shortcut, pow always.
  public var nsProduct: Double
  public var nsShortcut: Double
  public var nsPow: Double
  /// The activation kernels against the C library (largest errors in ulp).
  public var kernels: KernelCheck?

  /// Whether every square and sincos agrees with the C library and every kernel is within bound.
  public var passed: Bool {
    mismatches == 0 && sinCosMismatches == 0 && laneTrigMismatches == 0 && kernels?.withinBounds != false
  }
}

/// `compareOriginal`: the original-semantics NumPy re-scoring (scripts/original_swingup.py)
/// timed in the same run, interleaved with ours.
public struct OriginalComparison: Codable, Equatable, Sendable {
  /// The reference's environment steps per second, one per repetition.
  public var originalStepsPerSecond: [Double]
  /// Ours (re-scoring, 1 thread) in the repetitions between them.
  public var oursStepsPerSecond: [Double]
  /// ours / original per repetition.
  public var ratios: [Double]
}

/// Everything one `wann bench` run measured (its `--json` document).
public struct BenchReport: Codable, Equatable, Sendable {
  public var build: String
  public var cores: Int
  public var results: [BenchResult]
  public var exactness: ExactnessResult?
  public var original: OriginalComparison?
  public var gym: [GymBenchResult]?
  public var popgym: [CardBenchResult]?
}

/// A measurement as it finishes, for a caller that shows progress (the CLI prints each one).
public enum BenchProgress: Sendable {
  case result(BenchResult)
  case exactness(ExactnessResult)
  case original(OriginalComparison)
  case gym(GymBenchResult)
  case popgym(CardBenchResult)
}

/// Runs the selected workloads in a fixed order and reports each measurement as it finishes.
public struct Benchmarks {
  public let settings: BenchSettings
  let clock = ContinuousClock()

  public init(_ settings: BenchSettings) { self.settings = settings }

  public func run(progress: (BenchProgress) -> Void = { _ in }) throws -> BenchReport {
    let selected = settings.workloads
    let weights = SearchConfig().evaluation.weights
    var results: [BenchResult] = []
    func record(_ r: BenchResult) {
      results.append(r)
      progress(.result(r))
    }
    if selected.contains(.rescore) { try rescore(weights: weights, record: record) }
    if selected.contains(.search) { try search(weights: weights, record: record) }
    if selected.contains(.mnist) { try mnist(record: record) }
    let exactness = selected.contains(.exactness) ? checkExactness(threads: settings.threadCounts.max() ?? 1) : nil
    if let exactness { progress(.exactness(exactness)) }
    let original = settings.compareOriginal ? try compareWithOriginal(weights: weights) : nil
    if let original { progress(.original(original)) }
    let gym = selected.contains(.gym) ? try gymBench(progress: progress) : nil
    let popgym = selected.contains(.popgym) ? try cardBench(progress: progress) : nil
    return BenchReport(
      build: Self.build, cores: ProcessInfo.processInfo.activeProcessorCount, results: results,
      exactness: exactness, original: original, gym: gym, popgym: popgym)
  }

  /// How this library was compiled: timings of a debug build say little.
  public static var build: String {
    #if DEBUG
      "debug"
    #else
      "release"
    #endif
  }

  func rescore(weights: [Double], record: (BenchResult) -> Void) throws {
    let (champion, path) = try settings.requireChampion()
    for t in settings.threadCounts {
      let usage = LaneUsage()
      let start = clock.now
      let (_, steps) = ParallelEvaluator(threads: t, laneUsage: usage).evaluate(
        task: SwingUpTask(), networks: [champion], weights: weights, repetitions: settings.trials,
        episodes: EpisodeKey(seed: 1, purpose: .benchmark))
      let s = (clock.now - start).inSeconds
      let rollouts = weights.count * settings.trials
      record(
        BenchResult(
          workload: "rescore-" + PathText.name(of: path), threads: t, seconds: s, steps: steps, rollouts: rollouts,
          stepsPerSecond: Double(steps) / s, rolloutsPerSecond: Double(rollouts) / s, laneOccupancy: usage.occupancy))
    }
  }

  func search(weights: [Double], record: (BenchResult) -> Void) throws {
    let (generations, population) = (settings.generations, settings.population)
    for t in settings.threadCounts {
      var config = SearchConfig.defaults(for: .swingup)
      config.population.size = population
      let usage = LaneUsage()
      var run = try SearchRun(config: config, evaluator: ParallelEvaluator(threads: t, laneUsage: usage))
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
      record(
        BenchResult(
          workload: "search-pop\(population)", threads: t, seconds: seconds, steps: steps,
          rollouts: rollouts, stepsPerSecond: Double(steps) / seconds,
          rolloutsPerSecond: Double(rollouts) / seconds, generations: generations,
          secondsPerGeneration: seconds / Double(generations), fingerprint: fp, laneOccupancy: usage.occupancy))
    }
  }

  /// `mnistGenerations` generations of the paper's MNIST search (population 960, one batch of
  /// 1000 training images per weight), from its initial population, on each thread count.
  func mnist(record: (BenchResult) -> Void) throws {
    let generations = settings.mnistGenerations
    guard generations >= 1 else { throw ExperimentError("--mnist-generations must be at least 1") }
    let config = SearchConfig.defaults(for: .mnist256)
    for t in settings.threadCounts {
      var run = try SearchRun(config: config, threads: t)
      var seconds = 0.0, steps = 0
      for _ in 0..<generations {
        let s = run.runGeneration()
        seconds += s.seconds
        steps += s.steps
      }
      let rollouts =
        generations * config.population.size * config.evaluation.weights.count * config.evaluation.repetitions
      record(
        BenchResult(
          workload: "mnist256-pop\(config.population.size)", threads: t, seconds: seconds, steps: steps,
          rollouts: rollouts, stepsPerSecond: Double(steps) / seconds,
          rolloutsPerSecond: Double(rollouts) / seconds, generations: generations,
          secondsPerGeneration: seconds / Double(generations)))
    }
  }

  /// Times the NumPy reference and our re-scoring (1 thread) alternately, `repetitions` times each.
  /// The script is the checkout's (found from the binary, then the working directory), run by the
  /// Python the Gymnasium workers use.
  func compareWithOriginal(weights: [Double]) throws -> OriginalComparison {
    let relative = "scripts/original_swingup.py"
    guard let script = ProjectFiles.locate(relative) else {
      throw ExperimentError(
        "--compare-original runs \(relative) of the checkout wann was built in: not found above the binary or the working directory"
      )
    }
    let (champion, path) = try settings.requireChampion()
    let python = GymPython.interpreter
    var original: [Double] = [], ours: [Double] = []
    for _ in 0..<settings.repetitions {
      let output = try PythonRun.output(
        python,
        arguments: [
          script, path, "--weights=" + weights.map { "\($0)" }.joined(separator: ","),
          "--trials", "\(settings.originalTrials)",
        ], what: relative)
      guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any],
        let rate = object["stepsPerSecond"] as? Double
      else {
        throw ExperimentError("\(relative) printed no steps per second; is NumPy installed for \(python)?")
      }
      original.append(rate)
      let start = clock.now
      let (_, steps) = ParallelEvaluator(threads: 1).evaluate(
        task: SwingUpTask(), networks: [champion], weights: weights, repetitions: settings.trials,
        episodes: EpisodeKey(seed: 1, purpose: .benchmark))
      ours.append(Double(steps) / (clock.now - start).inSeconds)
    }
    let ratios = zip(ours, original).map { $0 / $1 }
    return OriginalComparison(originalStepsPerSecond: original, oursStepsPerSecond: ours, ratios: ratios)
  }

  /// Checks `arguments` arguments on `threads` threads, then times each way of squaring on one
  /// thread over the first 10^7 arguments (or fewer).
  func checkExactness(threads: Int) -> ExactnessResult {
    let seed: UInt64 = 1
    let chunks = max(threads, 1) * 16
    /// Runs `part(k)` for chunks k = 0..<chunks on `threads` threads and merges the results.
    func inChunks<Check: Sendable>(
      _ empty: Check, merge: @escaping @Sendable (inout Check, Check) -> Void,
      _ part: @escaping @Sendable (Int) -> Check
    ) -> Check {
      let merged = Locked(empty)
      WorkerPool.run(jobs: chunks, threads: threads) { jobs in
        while let k = jobs.next() {
          let result = part(k)
          merged.withLock { merge(&$0, result) }
        }
      }
      return merged.withLock { $0 }
    }
    let arguments = settings.arguments
    let total = inChunks(SquareCheck(), merge: { $0.merge($1) }) { k in
      SquareCheck.run((arguments * k / chunks)..<(arguments * (k + 1) / chunks), seed: seed)
    }
    let trigTotal = inChunks(LaneTrigCheck(), merge: { $0.merge($1) }) { k in
      LaneTrigCheck.run((arguments * k / chunks)..<(arguments * (k + 1) / chunks), seed: seed)
    }
    let n = min(arguments, 10_000_000)
    let args = (0..<n).map { SquareCheck.argument($0, seed: seed) }
    func time(_ f: (Double) -> Double) -> Double {
      var sink = 0.0
      let start = clock.now
      for x in args { sink += f(x) }
      let s = (clock.now - start).inSeconds
      if sink == 42 { FileHandle.standardError.write(Data()) }  // keeps the loop from being optimised away
      return s * 1e9 / Double(n)
    }
    let kernelArguments = settings.kernelArguments
    let kernels = inChunks(KernelCheck(), merge: { $0.merge($1) }) { k in
      let w = Lanes.scalarCount, lanes = (kernelArguments + w - 1) / w
      return KernelCheck.run(
        (w * (lanes * k / chunks))..<min(kernelArguments, w * (lanes * (k + 1) / chunks)), seed: seed)
    }
    return ExactnessResult(
      arguments: total.arguments, mismatches: total.mismatches, sinCosMismatches: total.sinCosMismatches,
      laneTrigValues: trigTotal.values, laneTrigMismatches: trigTotal.mismatches,
      laneTrigFromLanes: Double(trigTotal.fromLanes) / Double(max(trigTotal.values, 1)),
      laneTrigNearThreshold: trigTotal.nearThreshold,
      nsSinCos: LaneTrigCheck.nanosecondsPerSinCos(arguments: n, seed: seed, lanes: false),
      nsLaneSinCos: LaneTrigCheck.nanosecondsPerSinCos(arguments: n, seed: seed, lanes: true),
      powDiffersFromProduct: total.powDiffersFromProduct,
      slowPathFraction: Double(total.slowPath) / Double(max(total.arguments, 1)),
      nsProduct: time(ProductSquare.square), nsShortcut: time(PowSquare.square),
      nsPow: time(PowSquare.libraryPow), kernels: kernels)
  }
}

/// Runs a Python script to its end and hands back what it printed: the benchmarks' references.
enum PythonRun {
  static func output(_ python: String, arguments: [String], what: String) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python] + arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch {
      throw ExperimentError("cannot run \(python) for \(what): \(error.localizedDescription)")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
      throw ExperimentError(
        "\(what) failed under \(python) (exit \(p.terminationStatus)); scripts/test sets up .venv with what it needs")
    }
    return data
  }
}
