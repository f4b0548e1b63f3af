import Foundation
import Glibc
import Synchronization
import WANNCore

/// What a Gymnasium environment's worker reports about it: its spaces, how the network's inputs
/// and outputs map onto them, and the versions that ran it. Stored in archives as JSON (the
/// `environment` attribute, docs/hdf5-schema.md).
public struct GymEnvironment: Sendable, Equatable {
  public enum ActionKind: String, Sendable {
    /// One output per dimension, clipped to the space's bounds (not scaled).
    case box
    /// n outputs; the largest wins (ties: the lowest index).
    case discrete
    /// A group of outputs per dimension; the largest of each group wins.
    case multidiscrete
  }
  public var observationSize: Int
  public var observationLabels: [String]
  public var actionKind: ActionKind
  /// Values per action sent to the environment (box: dimensions; discrete: 1; multidiscrete: dimensions).
  public var actionSize: Int
  public var actionLow: [Double]
  public var actionHigh: [Double]
  /// Outputs per action dimension (discrete: [n]; multidiscrete: nvec).
  public var actionGroups: [Int]
  public var actionLabels: [String]
  public var deterministic: Bool
  public var maxEpisodeSteps: Int?
  public var rewardThreshold: Double?
  /// The worker's whole description, as it sent it (what the archive stores).
  public var json: String

  init(json bytes: [UInt8]) throws(GymFailure) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)), let d = object as? [String: Any],
      let obsSize = d["observation_size"] as? Int, let obsLabels = d["observation_labels"] as? [String],
      let kind = (d["action_kind"] as? String).flatMap(ActionKind.init(rawValue:)),
      let actSize = d["action_size"] as? Int,
      let groups = d["action_groups"] as? [Int], let actLabels = d["action_labels"] as? [String]
    else { throw .setUp("the Gymnasium worker sent a description wann cannot read: \(text.prefix(200))") }
    func bounds(_ key: String, _ infinity: Double) -> [Double] {
      ((d[key] as? [Any]) ?? []).map { ($0 as? NSNumber)?.doubleValue ?? infinity }
    }
    observationSize = obsSize
    observationLabels = obsLabels
    actionKind = kind
    actionSize = actSize
    actionLow = bounds("action_low", -.infinity)
    actionHigh = bounds("action_high", .infinity)
    actionGroups = groups
    actionLabels = actLabels
    deterministic = d["deterministic"] as? Bool ?? false
    maxEpisodeSteps = d["max_episode_steps"] as? Int
    rewardThreshold = (d["reward_threshold"] as? NSNumber)?.doubleValue
    json = text
  }
}

/// Any Gymnasium environment as a task (docs/gymnasium.md). The environments run in Python
/// worker processes (one per evaluator thread); the network runs here, in the evaluator's eight
/// lanes, and one message per step carries every active lane's actions, and its reply every
/// lane's observation, reward and end flags.
///
/// Each rollout resets its environment with a seed drawn from the rollout's keyed stream (seed,
/// purpose, generation, repetition), so a search is the same for any number of threads,
/// processes or shards whenever the environment is deterministic under `reset(seed=)`.
public struct GymTask: WANNTask {
  public let spec: GymSpec
  public let environment: GymEnvironment
  let pool: GymWorkerPool

  /// Starts (or reuses) a worker for `spec` and reads the environment's description.
  public init(spec: GymSpec) throws(GymFailure) {
    self.spec = spec
    pool = GymWorkerPool.shared(spec)
    environment = try GymTask.describe(pool)
  }

  private static let descriptions = Mutex<[String: GymEnvironment]>([:])

  static func describe(_ pool: GymWorkerPool) throws(GymFailure) -> GymEnvironment {
    let key = pool.spec.taskName + "\u{0}" + pool.python
    if let d = descriptions.withLock({ $0[key] }) { return d }
    let (worker, bytes) = try pool.take()
    let d = try GymEnvironment(json: bytes ?? [])
    pool.giveBack(worker)
    descriptions.withLock { $0[key] = d }
    if !d.deterministic {
      // Once per process, on stderr; the archive keeps the flag in its environment attribute.
      FileHandle.standardError.write(
        Data(
          ("wann: warning: \(pool.spec.taskName) is not deterministic under reset(seed=): "
            + "one seeded episode played twice differed, so runs and resumes need not repeat bit for bit\n").utf8))
    }
    return d
  }

  public var kind: TaskKind { TaskKind(gym: spec) }
  public var inputLabels: [String] { environment.observationLabels }
  /// One label per output: per box dimension, or per choice of each discrete dimension.
  public var outputLabels: [String] { environment.actionLabels }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var results = [RolloutResult(reward: .nan, steps: 0)]
    run(
      &evaluator, network: nil, seeds: [rng.next()], weights: [.shared(weight)],
      context: { _ in "a rollout at weight \(weight)" },
      results: &results)
    return results[0]
  }

  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey)
    -> [RolloutResult]
  {
    rollouts(&evaluator, network: nil, plans: plans, episodes: episodes)
  }

  /// With the network at hand, a job's rollouts run in up to three evaluators at once (24
  /// lanes), so one message per step carries three times as many: the pipe's round trip, not
  /// the network, is what a step costs beyond the environment.
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, network: Network, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    rollouts(&evaluator, network: Optional(network), plans: plans, episodes: episodes)
  }

  private func rollouts(
    _ evaluator: inout NetworkEvaluator, network: Network?, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    var results = [RolloutResult](repeating: RolloutResult(reward: .nan, steps: 0), count: plans.count)
    let all = Array(plans)
    // Shared and individual weights are different arithmetic, so they run as separate groups
    // (as LaneRollouts does).
    for individual in [false, true] {
      let group = all.indices.filter { if case .shared = all[$0].weights { !individual } else { individual } }
      if group.isEmpty { continue }
      var groupResults = [RolloutResult](repeating: RolloutResult(reward: .nan, steps: 0), count: group.count)
      let seeds = group.map { k -> UInt64 in
        var rng = episodes.stream(repetition: all[k].episode)
        return rng.next()
      }
      run(
        &evaluator, network: network, seeds: seeds, weights: group.map { all[$0].weights },
        context: { i in
          let plan = all[group[i]]
          let w: String = if case .shared(let x) = plan.weights { "weight \(x)" } else { "individual weights" }
          return "generation \(episodes.generation), repetition \(plan.episode), \(w)"
        }, results: &groupResults)
      for (i, k) in group.enumerated() { results[k] = groupResults[i] }
    }
    return results
  }

  /// Plays one episode per seed (each with its weights) in the lanes of `evaluator` and, when
  /// `network` is given and there are more episodes than lanes, of up to two more evaluators
  /// loaded with it; one message per step carries every active lane. A failure ends wann (see
  /// `GymTask.abort`).
  func run(
    _ evaluator: inout NetworkEvaluator, network: Network?, seeds: [UInt64], weights: [RolloutPlan.Weights],
    context: (Int) -> String, results: inout [RolloutResult]
  ) {
    let taken: GymWorker
    do {
      (taken, _) = try pool.take()
    } catch { GymTask.abort("\(spec.taskName): \(error)") }
    let worker = taken
    let width = NetworkEvaluator.laneCount
    let banks = network == nil ? 1 : min(3, (seeds.count + width - 1) / width)
    var second = NetworkEvaluator(), third = NetworkEvaluator()
    if let network, banks > 1 {
      second.load(network)
      if banks > 2 { third.load(network) }
    }
    let individual: Bool = if case .individual = weights[0] { true } else { false }
    if !individual {
      evaluator.useSharedWeight()
      second.useSharedWeight()
      third.useSharedWeight()
    }
    /// Runs `body` on the evaluator of bank `b`.
    func bank<R>(_ b: Int, _ body: (inout NetworkEvaluator) -> R) -> R {
      switch b {
      case 0: body(&evaluator)
      case 1: body(&second)
      default: body(&third)
      }
    }
    let lanes = banks * width
    let obs = environment.observationSize
    let env = environment
    var planOfLane = [Int](repeating: -1, count: lanes)
    var totals = [Double](repeating: 0, count: lanes)
    var steps = [Int](repeating: 0, count: lanes)
    var active = [Bool](repeating: false, count: lanes)
    var inputs = [Lanes](repeating: Lanes(), count: obs * banks)
    var next = 0

    func fail(_ lane: Int, _ what: String) -> Never {
      let where_ =
        lane >= 0 && lane < lanes && planOfLane[lane] >= 0
        ? " (\(context(planOfLane[lane])), step \(steps[lane] + 1))" : ""
      GymTask.abort("\(spec.taskName): \(what)\(where_)")
    }
    /// Gives `lane` the next episode's weights and a fresh recurrent state.
    func assign(_ lane: Int) -> Bool {
      guard next < seeds.count else {
        active[lane] = false
        return false
      }
      planOfLane[lane] = next
      let plan = next
      bank(lane / width) { e in
        switch weights[plan] {
        case .shared(let w): e.setLaneWeight(lane % width, w)
        case .individual(let ws):
          precondition(ws.count == e.connectionCount, "one weight per enabled connection")
          e.setConnectionWeights(lane: lane % width) { ws[$0] }
        }
        e.resetState(lane: lane % width)
      }
      totals[lane] = 0
      steps[lane] = 0
      active[lane] = true
      next += 1
      return true
    }
    func storeObservation(lane: Int, from reply: UnsafeRawBufferPointer, offset: Int) {
      let base = (lane / width) * obs
      for i in 0..<obs {
        let v = reply.loadUnaligned(fromByteOffset: offset + 8 * i, as: Double.self)
        if !v.isFinite { fail(lane, "observation \(i) (\(env.observationLabels[i])) is \(v)") }
        inputs[base + i][lane % width] = v
      }
    }

    // The first episodes: one reset message for every lane that has one.
    var started: [(lane: Int, seed: UInt64)] = []
    for lane in 0..<lanes where assign(lane) { started.append((lane, seeds[planOfLane[lane]])) }
    do {
      try worker.send("R", count: started.count, doing: "resetting the environment") { m in
        for s in started {
          m.appendLE(UInt32(s.lane))
          m.appendLE(s.seed)
        }
      }
      if case .error(let text) = try worker.receive(doing: "resetting the environment") {
        fail(-1, "reset failed: \(GymTask.exceptionText(text))")
      }
    } catch { fail(-1, "\(error)") }
    worker.withReply { r in
      for (k, s) in started.enumerated() { storeObservation(lane: s.lane, from: r, offset: 8 * obs * k) }
    }

    var activeLanes: [Int] = []
    activeLanes.reserveCapacity(lanes)
    while active.contains(true) {
      for b in 0..<banks where active[(b * width)..<((b + 1) * width)].contains(true) {
        bank(b) { e in
          for i in 0..<obs { e.setInput(i, inputs[b * obs + i]) }
          e.forward()
        }
      }
      activeLanes.removeAll(keepingCapacity: true)
      for lane in 0..<lanes where active[lane] { activeLanes.append(lane) }
      let pending = min(seeds.count - next, activeLanes.count)
      do {
        try worker.send("S", count: activeLanes.count, doing: "stepping the environment") { m in
          for lane in activeLanes { m.appendLE(UInt32(lane)) }
          for lane in activeLanes {
            bank(lane / width) { e in GymTask.appendAction(env, e, lane: lane % width, to: &m) }
          }
          m.appendLE(UInt32(pending))
          for j in 0..<pending { m.appendLE(seeds[next + j]) }
        }
        if case .error(let text) = try worker.receive(doing: "stepping the environment") {
          let lane = Int(text.split(separator: ":", maxSplits: 2).dropFirst().first ?? "") ?? -1
          fail(lane, "the environment raised \(GymTask.exceptionText(text))")
        }
      } catch { fail(activeLanes.first ?? -1, "\(error)") }
      let row = 8 * (obs + 2)
      worker.withReply { r in
        for (k, lane) in activeLanes.enumerated() {
          let reward = r.loadUnaligned(fromByteOffset: row * k + 8 * obs, as: Double.self)
          let flags = Int(r.loadUnaligned(fromByteOffset: row * k + 8 * obs + 8, as: Double.self))
          if !reward.isFinite { fail(lane, "the reward is \(reward)") }
          totals[lane] += reward
          steps[lane] += 1
          if flags & 3 != 0 {
            results[planOfLane[lane]] = RolloutResult(reward: totals[lane], steps: steps[lane])
            if flags & 4 != 0 {
              _ = assign(lane)
            } else {
              active[lane] = false
              continue
            }
          }
          storeObservation(lane: lane, from: r, offset: row * k)
        }
      }
    }
    pool.giveBack(worker)
  }

  /// Appends lane `lane`'s action: box dimensions clipped to their bounds; for discrete
  /// dimensions the index of the group's largest output (ties: the lowest; NaN never wins).
  static func appendAction(
    _ env: GymEnvironment, _ evaluator: borrowing NetworkEvaluator, lane: Int, to m: inout [UInt8]
  ) {
    switch env.actionKind {
    case .box:
      for j in 0..<env.actionSize {
        var a = evaluator.outputLanes(j)[lane]
        if a.isNaN { a = 0 }
        a = min(max(a, env.actionLow[j]), env.actionHigh[j])
        m.appendLE(a)
      }
    case .discrete, .multidiscrete:
      var base = 0
      for n in env.actionGroups {
        var best = 0
        var bestValue = -Double.infinity
        for k in 0..<n {
          let v = evaluator.outputLanes(base + k)[lane]
          if v > bestValue {
            best = k
            bestValue = v
          }
        }
        m.appendLE(Double(best))
        base += n
      }
    }
  }

  /// The environment's exception from a worker's error reply ("step:LANE:Type: message").
  static func exceptionText(_ text: String) -> String {
    let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    return parts.count == 3 ? parts[2].trimmingCharacters(in: .whitespaces) : text
  }

  /// Ends wann with `message` as one line and exit status 2. Rollouts cannot throw (they run on
  /// evaluator threads, in the middle of a generation), and a failed environment has no
  /// answer to give; so the process ends the way a kill ends it, without flushing anything: the
  /// archive's commit protocol keeps every finished generation (docs/reliability.md), and
  /// `wann resume` goes on from the last one.
  public static func abort(_ message: String) -> Never {
    let line = "wann: error: \(message); every finished generation is kept (wann resume continues)\n"
    line.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
    _exit(2)
  }
}

extension Array where Element == UInt8 {
  mutating func appendLE(_ x: UInt32) { Swift.withUnsafeBytes(of: x.littleEndian) { append(contentsOf: $0) } }
  mutating func appendLE(_ x: UInt64) { Swift.withUnsafeBytes(of: x.littleEndian) { append(contentsOf: $0) } }
  mutating func appendLE(_ x: Double) { appendLE(x.bitPattern) }
}
