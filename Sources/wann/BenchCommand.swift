import ArgumentParser
import Foundation
import WANNCore
import WANNExperiments
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

/// The `exactness` workload: the swing-up's exact square (`PowSquare`) against the C library's
/// pow, and its one-call sincos against sin and cos.
struct ExactnessResult: Codable, Equatable {
  var arguments: Int
  var mismatches: Int
  var sinCosMismatches: Int
  var powDiffersFromProduct: Int
  var slowPathFraction: Double
  /// Nanoseconds per square, one thread: the plain product, the shortcut, pow always.
  var nsProduct: Double
  var nsShortcut: Double
  var nsPow: Double
  /// The activation kernels against the C library (largest errors in ulp).
  var kernels: KernelCheck?
}

/// `--compare-original`: the original-semantics NumPy re-scoring (scripts/original_swingup.py)
/// timed in the same run, interleaved with ours.
struct OriginalComparison: Codable, Equatable {
  /// The reference's environment steps per second, one per repetition.
  var originalStepsPerSecond: [Double]
  /// Ours (re-scoring, 1 thread) in the repetitions between them.
  var oursStepsPerSecond: [Double]
  /// ours / original per repetition.
  var ratios: [Double]
}

struct BenchReport: Codable, Equatable {
  var build: String
  var cores: Int
  var results: [BenchResult]
  var exactness: ExactnessResult?
  var original: OriginalComparison?
  var gym: [GymBenchResult]?
  var popgym: [CardBenchResult]?
}

/// What `wann bench` measures.
enum BenchWorkload: String, CaseIterable {
  case rescore, search, exactness, mnist, gym, popgym
}

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure environment steps/s, rollouts/s and seconds per generation.",
    discussion: """
      Workloads (--workloads, default rescore,search), each for every thread count in --threads: \
      `rescore` re-scores the original swing-up champion (6 weights x --trials episodes); \
      `search` runs --generations search generations at population --population from scratch \
      (paper settings, seed 1); `mnist` runs --mnist-generations generations of the paper's MNIST \
      search (population 960, needs scripts/fetch_data mnist); `gym` steps each of --gym-environments with wann's workers (1 and 2) and in a plain Python loop with a fixed action, interleaved --repetitions times, and reports the overhead and the 2-worker speed-up; `popgym` times POPGym's natively ported games (easy) natively and through the package (gym: bridge), 1 thread, interleaved; `exactness` checks the swing-up's exact \
      square (the C library's pow(x, 2.0), called only where it can differ from x * x; scalar and \
      lane forms) against pow itself, and its one-call sincos against sin and cos, on --arguments \
      arguments, times the squares, and checks the network's activation kernels (exp, tanh, \
      sin(pi x), cos(pi x)) against the C library on --kernel-arguments arguments each; it exits \
      with status 1 if any square disagrees or a kernel exceeds its error bound. Build with \
      `swift build -c release` first: debug builds are many times slower.
      """)

  @Option(
    help:
      "Original champion to re-score (default: reference/original-champions/swing.out in the repository, or in $WANN_REFERENCE_DIR)."
  )
  var genome: String?

  @Option(help: "Comma-separated workloads: rescore, search, exactness.")
  var workloads = "rescore,search"

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

  @Option(help: "Environments of the gym workload (Gymnasium ids).")
  var gymEnvironments = "CartPole-v1,Pendulum-v1"

  @Option(help: "Environment steps per measurement of the gym workload (per worker).")
  var gymSteps = 200_000

  @Option(help: "Comma-separated thread counts to measure.")
  var threads = "1,2"

  @OptionGroup var output: JSONOption
  var json: Bool { output.json }

  func validate() throws {
    try Limits.check(trials, "trials", Limits.trials)
    try Limits.check(generations, "generations", 1...100_000)
    try Limits.check(population, "population", Limits.population)
    if arguments < 1 || arguments > 10_000_000_000 { throw ValidationError("--arguments must be in 1...10000000000") }
    try Limits.check(repetitions, "repetitions", 1...100)
    try Limits.check(originalTrials, "original-trials", 1...10_000)
    try Limits.check(gymSteps, "gym-steps", 1000...100_000_000)
  }

  /// The default champion: the repository's reference folder (run from the repository root),
  /// or $WANN_REFERENCE_DIR.
  var championPath: String {
    if let genome { return genome }
    let dir = ProcessInfo.processInfo.environment["WANN_REFERENCE_DIR"] ?? "reference"
    return dir + "/original-champions/swing.out"
  }

  func selectedWorkloads() throws -> Set<BenchWorkload> {
    let names = workloads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let set = try Set(
      names.map { n -> BenchWorkload in
        guard let w = BenchWorkload(rawValue: n) else {
          throw CLIError(
            "unknown workload '\(n)' in --workloads: choose from \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ", "))"
          )
        }
        return w
      })
    guard !set.isEmpty else { throw CLIError("--workloads is empty: choose from rescore, search, exactness") }
    return set
  }

  func run() throws {
    let threadCounts = try threads.split(separator: ",").map { s -> Int in
      guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= 1 else {
        throw CLIError("bad --threads '\(threads)': expected a comma list of positive integers, e.g. 1,2")
      }
      return n
    }
    let selected = try selectedWorkloads()
    let weights = SearchConfig().evaluation.weights
    var results: [BenchResult] = []
    let clock = ContinuousClock()
    if selected.contains(.rescore) {
      try rescore(threadCounts: threadCounts, weights: weights, clock: clock, into: &results)
    }
    if selected.contains(.search) { try search(threadCounts: threadCounts, weights: weights, into: &results) }
    if selected.contains(.mnist) { try mnist(threadCounts: threadCounts, into: &results) }
    let exactness = selected.contains(.exactness) ? checkExactness(threads: threadCounts.max() ?? 1) : nil
    let original = compareOriginal ? try compareWithOriginal(weights: weights, clock: clock) : nil
    let gym = selected.contains(.gym) ? try gymBench(clock: clock) : nil
    let popgym = selected.contains(.popgym) ? try cardBench(clock: clock) : nil
    #if DEBUG
      let build = "debug"
    #else
      let build = "release"
    #endif
    if json {
      Output.line(
        Output.json(
          BenchReport(
            build: build, cores: Inputs.coreCount, results: results, exactness: exactness, original: original,
            gym: gym, popgym: popgym)))
    } else if build == "debug" {
      Output.err("warning: this is a debug build; time a release build (swift build -c release)")
    }
    if let exactness, exactness.mismatches > 0 || exactness.sinCosMismatches > 0 {
      Output.err(
        "wann: the exact math disagrees with the C library: square vs pow on \(exactness.mismatches), sincos vs sin/cos on \(exactness.sinCosMismatches) of \(exactness.arguments) arguments"
      )
      throw ExitCode(1)
    }
    if let kernels = exactness?.kernels, !kernels.withinBounds {
      Output.err("wann: an activation kernel exceeds its error bound against the C library (see the kernels line)")
      throw ExitCode(1)
    }
  }

  func rescore(threadCounts: [Int], weights: [Double], clock: ContinuousClock, into results: inout [BenchResult]) throws
  {
    let genome = championPath
    guard FileManager.default.fileExists(atPath: genome) else {
      throw CLIError("champion '\(genome)' not found: run from the repository root, or pass --genome PATH")
    }
    let champion = try Network(Inputs.genome(path: genome, task: .swingup))
    for t in threadCounts {
      let start = clock.now
      let (_, steps) = ParallelEvaluator(threads: t).evaluate(
        task: SwingUpTask(), networks: [champion], weights: weights, repetitions: trials,
        episodes: EpisodeKey(seed: 1, purpose: .benchmark))
      let s = (clock.now - start).inSeconds
      let rollouts = weights.count * trials
      results.append(
        BenchResult(
          workload: "rescore-" + PathText.name(of: genome), threads: t, seconds: s, steps: steps, rollouts: rollouts,
          stepsPerSecond: Double(steps) / s, rolloutsPerSecond: Double(rollouts) / s))
      if !json { Output.line(row(results.last!)) }
    }
  }

  func search(threadCounts: [Int], weights: [Double], into results: inout [BenchResult]) throws {
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
      results.append(
        BenchResult(
          workload: "search-pop\(population)", threads: t, seconds: seconds, steps: steps,
          rollouts: rollouts, stepsPerSecond: Double(steps) / seconds,
          rolloutsPerSecond: Double(rollouts) / seconds, generations: generations,
          secondsPerGeneration: seconds / Double(generations), fingerprint: fp))
      if !json { Output.line(row(results.last!)) }
    }
  }

  /// `--mnist-generations` generations of the paper's MNIST search (population 960, one batch of
  /// 1000 training images per weight), from its initial population, on each thread count.
  func mnist(threadCounts: [Int], into results: inout [BenchResult]) throws {
    guard mnistGenerations >= 1 else { throw CLIError("--mnist-generations must be at least 1") }
    let config = SearchConfig.defaults(for: .mnist256)
    for t in threadCounts {
      var run = try SearchRun(config: config, threads: t)
      var seconds = 0.0, steps = 0
      for _ in 0..<mnistGenerations {
        let s = run.runGeneration()
        seconds += s.seconds
        steps += s.steps
      }
      let rollouts =
        mnistGenerations * config.population.size * config.evaluation.weights.count * config.evaluation.repetitions
      results.append(
        BenchResult(
          workload: "mnist256-pop\(config.population.size)", threads: t, seconds: seconds, steps: steps,
          rollouts: rollouts, stepsPerSecond: Double(steps) / seconds,
          rolloutsPerSecond: Double(rollouts) / seconds, generations: mnistGenerations,
          secondsPerGeneration: seconds / Double(mnistGenerations)))
      if !json { Output.line(row(results.last!)) }
    }
  }

  /// Times the NumPy reference and our re-scoring (1 thread) alternately, `repetitions` times each.
  func compareWithOriginal(weights: [Double], clock: ContinuousClock) throws -> OriginalComparison {
    let script = "scripts/original_swingup.py"
    guard FileManager.default.fileExists(atPath: script) else {
      throw CLIError("--compare-original runs \(script): run wann bench from the repository root")
    }
    let python = FileManager.default.isExecutableFile(atPath: ".venv/bin/python") ? ".venv/bin/python" : "/usr/bin/env"
    let pythonArgs = python == "/usr/bin/env" ? ["python3"] : []
    var original: [Double] = [], ours: [Double] = []
    let champion = try Network(Inputs.genome(path: championPath, task: .swingup))
    for _ in 0..<repetitions {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: python)
      p.arguments =
        pythonArgs + [
          script, championPath, "--weights=" + weights.map { "\($0)" }.joined(separator: ","),
          "--trials", "\(originalTrials)",
        ]
      let pipe = Pipe()
      p.standardOutput = pipe
      do { try p.run() } catch {
        throw CLIError("cannot run \(python) \(script): \(error.localizedDescription) (scripts/test sets up .venv)")
      }
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      guard p.terminationStatus == 0,
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let rate = object["stepsPerSecond"] as? Double
      else {
        throw CLIError(
          "\(script) failed (exit \(p.terminationStatus)); is NumPy installed in .venv? (scripts/test sets it up)")
      }
      original.append(rate)
      let start = clock.now
      let (_, steps) = ParallelEvaluator(threads: 1).evaluate(
        task: SwingUpTask(), networks: [champion], weights: weights, repetitions: trials,
        episodes: EpisodeKey(seed: 1, purpose: .benchmark))
      ours.append(Double(steps) / (clock.now - start).inSeconds)
    }
    let ratios = zip(ours, original).map { $0 / $1 }
    if !json {
      Output.line(
        String(
          format:
            "original-semantics NumPy re-scoring: %@ steps/s; ours (1 thread): %@ steps/s; ratio per repetition %@",
          original.map { String(format: "%.0f", $0) }.joined(separator: ", "),
          ours.map { String(format: "%.0f", $0) }.joined(separator: ", "),
          ratios.map { String(format: "%.0fx", $0) }.joined(separator: ", ")))
    }
    return OriginalComparison(originalStepsPerSecond: original, oursStepsPerSecond: ours, ratios: ratios)
  }

  /// Checks `arguments` arguments on `threads` threads, then times each way of squaring on one
  /// thread over the first 10^7 arguments (or fewer).
  func checkExactness(threads: Int) -> ExactnessResult {
    let seed: UInt64 = 1
    let chunks = max(threads, 1) * 16
    let merged = Locked(SquareCheck())
    let arguments = self.arguments
    WorkerPool.run(jobs: chunks, threads: threads) { jobs in
      while let k = jobs.next() {
        let part = SquareCheck.run((arguments * k / chunks)..<(arguments * (k + 1) / chunks), seed: seed)
        merged.withLock { $0.merge(part) }
      }
    }
    let total = merged.withLock { $0 }
    let n = min(arguments, 10_000_000)
    let args = (0..<n).map { SquareCheck.argument($0, seed: seed) }
    func time(_ f: (Double) -> Double) -> Double {
      let clock = ContinuousClock()
      var sink = 0.0
      let start = clock.now
      for x in args { sink += f(x) }
      let s = (clock.now - start).inSeconds
      if sink == 42 { Output.err("") }  // keeps the loop from being optimised away
      return s * 1e9 / Double(n)
    }
    let kernelArguments = self.kernelArguments
    let kernels = Locked(KernelCheck())
    WorkerPool.run(jobs: chunks, threads: threads) { jobs in
      while let k = jobs.next() {
        let w = Lanes.scalarCount, lanes = (kernelArguments + w - 1) / w
        let part = KernelCheck.run(
          (w * (lanes * k / chunks))..<min(kernelArguments, w * (lanes * (k + 1) / chunks)), seed: seed)
        kernels.withLock { $0.merge(part) }
      }
    }
    let r = ExactnessResult(
      arguments: total.arguments, mismatches: total.mismatches, sinCosMismatches: total.sinCosMismatches,
      powDiffersFromProduct: total.powDiffersFromProduct,
      slowPathFraction: Double(total.slowPath) / Double(max(total.arguments, 1)),
      nsProduct: time(ProductSquare.square), nsShortcut: time(PowSquare.square),
      nsPow: time(PowSquare.libraryPow), kernels: kernels.withLock { $0 })
    if !json {
      Output.line(
        String(
          format: "exactness: %d arguments; square differs from pow on %d, sincos from sin/cos on %d (both must be 0)",
          r.arguments, r.mismatches, r.sinCosMismatches))
      Output.line(
        String(
          format: "exactness: pow(x, 2) != x*x on %d (1 in %.0f); the shortcut called pow on %.2f%%",
          r.powDiffersFromProduct,
          Double(r.arguments) / Double(max(r.powDiffersFromProduct, 1)), 100 * r.slowPathFraction))
      Output.line(
        String(
          format: "exactness: ns per square, 1 thread: x*x %.2f, exact shortcut %.2f, pow always %.2f",
          r.nsProduct, r.nsShortcut, r.nsPow))
      if let k = r.kernels {
        Output.line(
          String(
            format:
              "kernels: %d arguments; worst error in ulp: exp %.3f (bound %.0f), tanh %.3f (%.0f), sin(pi x) %.3f (%.0f), cos(pi x) %.3f (%.0f)",
            k.arguments, k.expWorstUlp, KernelCheck.bounds.exp, k.tanhWorstUlp, KernelCheck.bounds.tanh,
            k.sinPiWorstUlp, KernelCheck.bounds.sinPi, k.cosPiWorstUlp, KernelCheck.bounds.cosPi))
      }
    }
    return r
  }

  func row(_ r: BenchResult) -> String {
    var s =
      Output.pad(r.workload, -22)
      + String(
        format: " threads %2d  %8.3f s  %12.0f steps/s  %9.0f rollouts/s", r.threads, r.seconds,
        r.stepsPerSecond, r.rolloutsPerSecond)
    if let g = r.secondsPerGeneration { s += String(format: "  %.3f s/generation", g) }
    return s
  }
}
