import WANNCore

/// An environment that runs one episode per lane of a `NetworkEvaluator`, so eight rollouts of a
/// network step together: the network's arithmetic runs on vectors, and the environment steps
/// every lane in vector arithmetic where it can (per-lane library calls where exactness needs
/// them). A lane's episode must depend only on its own start and actions, never on other lanes.
public protocol LaneEnvironment {
  /// Starts a new episode in `lane`, its randomness drawn from `rng` exactly as the task's
  /// scalar `rollout` draws it.
  mutating func start(lane: Int, rng: inout RandomStream)
  /// Writes every lane's observation into the evaluator's inputs.
  mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask)
  /// Acts in the `active` lanes with the evaluator's outputs; returns each lane's reward and
  /// which lanes' episodes ended with this step (by the task's rules, including the
  /// original's "the first step's done flag is not checked").
  mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (reward: Lanes, done: LaneMask)
}

/// Runs rollouts of the loaded network in lanes: each lane plays one planned rollout and, when
/// its episode ends, takes the next plan, so the lanes stay busy until the plans run out. A
/// lane's reward is summed in step order exactly as the scalar rollout sums it, so every result
/// is bit for bit the scalar one, whatever lane it ran in and whatever ran beside it.
public enum LaneRollouts {
  public static func run<E: LaneEnvironment>(
    _ environment: inout E, _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey
  ) -> [RolloutResult] {
    var results = [RolloutResult](repeating: RolloutResult(reward: .nan, steps: 0), count: plans.count)
    // Shared and individual weights are different arithmetic (w · Σv against Σ w_i v_i), so
    // the two kinds run as separate groups.
    var shared: [Int] = [], individual: [Int] = []
    for (k, plan) in plans.enumerated() {
      if case .shared = plan.weights { shared.append(k) } else { individual.append(k) }
    }
    for (group, isIndividual) in [(shared, false), (individual, true)] where !group.isEmpty {
      runGroup(
        &environment, &evaluator, plans: plans, group: group, individualWeights: isIndividual,
        episodes: episodes, results: &results)
    }
    return results
  }

  static func runGroup<E: LaneEnvironment>(
    _ environment: inout E, _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, group: [Int],
    individualWeights: Bool, episodes: EpisodeKey, results: inout [RolloutResult]
  ) {
    if !individualWeights { evaluator.useSharedWeight() }
    let lanes = NetworkEvaluator.laneCount
    var planOfLane = [Int](repeating: -1, count: lanes)
    var steps = LaneBits()
    var totals = Lanes()
    var active = LaneMask(repeating: false)
    var next = 0
    func assign(_ lane: Int, _ environment: inout E, _ evaluator: inout NetworkEvaluator) {
      guard next < group.count else {
        active[lane] = false
        return
      }
      let k = group[next]
      next += 1
      let plan = plans[plans.startIndex + k]
      planOfLane[lane] = k
      switch plan.weights {
      case .shared(let w):
        evaluator.setLaneWeight(lane, w)
      case .individual(let ws):
        precondition(ws.count == evaluator.connectionCount, "one weight per enabled connection")
        evaluator.setConnectionWeights(lane: lane) { ws[$0] }
      }
      evaluator.resetState(lane: lane)
      var rng = episodes.stream(repetition: plan.episode)
      environment.start(lane: lane, rng: &rng)
      totals[lane] = 0
      steps[lane] = 0
      active[lane] = true
    }
    // Once the last plan is handed out and at most `narrowLaneCount` lanes still play, their
    // networks move into the first lanes and step in the narrow kernel (half the instructions
    // on a 256-bit core): narrow lane j plays the episode of environment lane gathered[j]. The
    // environment keeps its lanes; each step copies their observations in and the actions out.
    let narrowWidth = NetworkEvaluator.narrowLaneCount
    var gathered = SIMD4<Int>(), gatheredCount = 0
    func gatherIfFew(_ evaluator: inout NetworkEvaluator) {
      guard gatheredCount == 0, next >= group.count else { return }
      var playing = 0
      for lane in 0..<lanes where active[lane] { playing += 1 }
      guard playing <= narrowWidth else { return }
      for lane in 0..<lanes where active[lane] {
        // Lanes move down in order, so a lane is moved before another lands on it.
        evaluator.moveLane(from: lane, to: gatheredCount)
        gathered[gatheredCount] = lane
        gatheredCount += 1
      }
    }
    for lane in 0..<lanes { assign(lane, &environment, &evaluator) }
    gatherIfFew(&evaluator)
    var passes = 0, computed = 0
    defer {
      evaluator.lanePasses &+= passes
      evaluator.computedLaneSteps &+= computed
    }
    while LaneMath.any(active) {
      passes &+= 1
      environment.observe(into: &evaluator, active: active)
      if gatheredCount == 0 {
        evaluator.forward()
        computed &+= lanes
      } else {
        for j in 0..<gatheredCount { evaluator.copyInputs(fromLane: gathered[j], toLane: j) }
        evaluator.forwardNarrow()
        // Highest first: lane gathered[j] >= j, so no output is overwritten before it is copied.
        for j in (0..<gatheredCount).reversed() { evaluator.copyOutputs(fromLane: j, toLane: gathered[j]) }
        computed &+= narrowWidth
      }
      let (reward, done) = environment.step(evaluator, active: active)
      totals += reward
      steps &-= active._storage  // an active lane's mask is -1: one more step
      let finished = done .& active
      if LaneMath.any(finished) {
        for lane in 0..<lanes where finished[lane] {
          results[planOfLane[lane]] = RolloutResult(reward: totals[lane], steps: Int(steps[lane]))
          assign(lane, &environment, &evaluator)
        }
        gatherIfFew(&evaluator)
      }
    }
  }
}

extension WANNTask {
  /// Plays the planned rollouts one after another with the scalar `rollout` (for tasks without
  /// a lane environment).
  public func scalarRollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    plans.map { plan in
      var rng = episodes.stream(repetition: plan.episode)
      switch plan.weights {
      case .shared(let w):
        evaluator.useSharedWeight()
        return rollout(&evaluator, weight: w, rng: &rng)
      case .individual(let ws):
        precondition(ws.count == evaluator.connectionCount, "one weight per enabled connection")
        evaluator.setConnectionWeights { ws[$0] }
        return rollout(&evaluator, weight: .nan, rng: &rng)
      }
    }
  }
}
