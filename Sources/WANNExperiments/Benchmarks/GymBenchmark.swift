import Foundation
import WANNCore
import WANNTasks

/// The `gym` workload of `wann bench`: a Gymnasium environment stepped by wann's workers
/// against the same environment stepped in a plain Python loop with a fixed action, in one run
/// with interleaved repetitions (docs/performance.md, "Gymnasium environments").
public struct GymBenchResult: Codable, Equatable, Sendable {
  public var environment: String
  /// Steps per second of `env.step(fixed action)` in a plain loop (resetting at episode ends),
  /// one per repetition.
  public var plainLoopStepsPerSecond: [Double]
  /// wann's steps per second, one worker, in the repetitions between them.
  public var oneWorkerStepsPerSecond: [Double]
  /// wann's steps per second, two workers (two evaluator threads).
  public var twoWorkersStepsPerSecond: [Double]
  /// plain / one worker - 1, per repetition: the share of time wann adds.
  public var overhead: [Double]
  /// two workers / one worker, per repetition.
  public var twoWorkerSpeedup: [Double]
}

/// The plain loop the workload compares against: the interpreter's `gymnasium.make(ENV)` stepped
/// with one fixed action (0, or zeros) for about N steps; prints the seconds it took.
private let plainLoopScript = """
  import sys, time, gymnasium, numpy as np
  env = gymnasium.make(sys.argv[1]); n = int(sys.argv[2])
  s = env.action_space
  a = 0 if isinstance(s, gymnasium.spaces.Discrete) else np.zeros(s.shape, dtype=s.dtype)
  env.reset(seed=0); episode = 0; start = time.perf_counter()
  for _ in range(n):
      _, _, term, trunc, _ = env.step(a)
      if term or trunc:
          episode += 1; env.reset(seed=episode)
  print(time.perf_counter() - start)
  """

extension Benchmarks {
  func gymBench(progress: (BenchProgress) -> Void) throws -> [GymBenchResult] {
    let (repetitions, gymSteps) = (settings.repetitions, settings.gymSteps)
    return try settings.gymEnvironments.map { env -> GymBenchResult in
      let task = try GymTask(spec: GymSpec(environment: env))
      // No connections: every output is its activation of nothing, so the action is fixed
      // (discrete: ties go to action 0; box: one constant), as in the plain loop.
      var rng = RandomStream(seed: 1, purpose: .benchmark)
      let genome = Genome.initial(
        inputs: task.inputCount, outputs: task.outputCount, connectionProbability: 0, using: &rng)
      let network = try Network(genome)
      let weights = SearchConfig().evaluation.weights
      // Rollouts of about --gym-steps steps in all, a job (24 rollouts) per network copy.
      func ours(threads: Int, steps target: Int) -> Double {
        let perEpisode = max(1, task.environment.maxEpisodeSteps ?? 200)
        let shortEpisodes = env.hasPrefix("CartPole") ? 10 : perEpisode
        let copies = max(2, target / (24 * shortEpisodes))
        let start = clock.now
        let (_, steps) = ParallelEvaluator(threads: threads).evaluate(
          task: task, networks: [Network](repeating: network, count: copies), weights: weights, repetitions: 4,
          episodes: EpisodeKey(seed: 1, purpose: .benchmark))
        return Double(steps) / (clock.now - start).inSeconds
      }
      _ = ours(threads: 2, steps: 2000)  // starts both workers: their start-up is not timed
      var result = GymBenchResult(
        environment: env, plainLoopStepsPerSecond: [], oneWorkerStepsPerSecond: [],
        twoWorkersStepsPerSecond: [], overhead: [], twoWorkerSpeedup: [])
      for _ in 0..<repetitions {
        let plain = try plainLoop(env, steps: gymSteps)
        let one = ours(threads: 1, steps: gymSteps)
        let two = ours(threads: 2, steps: 2 * gymSteps)
        result.plainLoopStepsPerSecond.append(plain)
        result.oneWorkerStepsPerSecond.append(one)
        result.twoWorkersStepsPerSecond.append(two)
        result.overhead.append(plain / one - 1)
        result.twoWorkerSpeedup.append(two / one)
      }
      progress(.gym(result))
      return result
    }
  }

  /// Steps per second of the plain Python loop (the same interpreter the workers use).
  private func plainLoop(_ env: String, steps: Int) throws -> Double {
    let data = try PythonRun.output(
      GymPython.interpreter, arguments: ["-c", plainLoopScript, env, String(steps)],
      what: "the plain-loop reference for \(env)")
    guard let s = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw ExperimentError("the plain-loop reference for \(env) printed no time")
    }
    return Double(steps) / s
  }
}

/// The `popgym` workload: POPGym's natively ported games (easy), native against the package
/// through the gym: bridge, one thread each, interleaved (docs/popgym.md).
public struct CardBenchResult: Codable, Equatable, Sendable {
  public var game: String
  public var nativeStepsPerSecond: [Double]
  public var packageStepsPerSecond: [Double]
  public var ratios: [Double]
}

extension Benchmarks {
  func cardBench(progress: (BenchProgress) -> Void) throws -> [CardBenchResult] {
    let games: [(native: any WANNTask, name: String, packageID: String)] =
      CardGame.all.filter { $0.difficulty == .easy }.map { (CardMemoryTask($0), $0.taskName, $0.packageID) }
      + CartPoleMemoryGame.all.filter { $0.difficulty == .easy }.map {
        (CartPoleMemoryTask($0), $0.taskName, $0.packageID)
      }
      + [PendulumMemoryGame(.easy)].map { (PendulumMemoryTask($0), $0.taskName, $0.packageID) }
    return try games.map { native, name, packageID -> CardBenchResult in
      let package = try GymTask(spec: GymSpec(environment: "popgym:" + packageID))
      var rng = RandomStream(seed: 1, purpose: .benchmark)
      let genome = Genome.initial(
        inputs: native.inputCount, outputs: native.outputCount, connectionProbability: 0.5, using: &rng)
      let network = try Network(genome)
      func rate(_ task: any WANNTask, networks count: Int) -> Double {
        let start = clock.now
        let (_, steps) = ParallelEvaluator(threads: 1).evaluate(
          task: task, networks: [Network](repeating: network, count: count), weights: SearchConfig().evaluation.weights,
          repetitions: 4,
          episodes: EpisodeKey(seed: 1, purpose: .benchmark))
        return Double(steps) / (clock.now - start).inSeconds
      }
      _ = rate(package, networks: 1)
      var r = CardBenchResult(game: name, nativeStepsPerSecond: [], packageStepsPerSecond: [], ratios: [])
      for _ in 0..<settings.repetitions {
        let p = rate(package, networks: 20)
        let n = rate(native, networks: 4000)
        r.packageStepsPerSecond.append(p)
        r.nativeStepsPerSecond.append(n)
        r.ratios.append(n / p)
      }
      progress(.popgym(r))
      return r
    }
  }
}
