import WANNCore

/// Sequence recall, a minimal memory benchmark. Each step shows a random sign x(t) in {-1, +1};
/// from the second step on the network must output the sign of the *previous* input. The
/// reward is the number of steps (out of 99) whose output has the right sign (an output of 0 is
/// wrong).
///
/// A feed-forward network cannot beat chance: its output at step t is a function of x(t) (and
/// the constant bias) only, and x(t - 1) is independent of x(t), so each step is right with
/// probability at most 1/2: expected reward <= 49.5. A recurrent network reaches the optimum 99
/// at every weight: in -> h (linear) and h -> out (recurrent) give out(t) = w^2 x(t - 1).
public struct RecallTask: WANNTask {
  public static let length = 100

  public init() {}
  public var kind: TaskKind { .recall }
  public var inputLabels: [String] { ["x"] }
  public var outputLabels: [String] { ["previous x"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    evaluator.resetState()
    var previous = 0.0
    var correct = 0
    for t in 0..<Self.length {
      let x: Double = rng.next() & 1 == 0 ? -1 : 1
      evaluator.setInput(0, x)
      evaluator.forward(weight: weight)
      let out = evaluator.output(0)
      if t > 0 && out * previous > 0 { correct += 1 }
      previous = x
    }
    return RolloutResult(reward: Double(correct), steps: Self.length)
  }
}

/// Eight recall episodes stepping together, each lane drawing its signs from its own stream.
public struct RecallLanes: LaneEnvironment {
  var streams = [RandomStream](repeating: RandomStream(seed: 0, purpose: .benchmark), count: Lanes.scalarCount)
  var shown = Lanes(), previous = Lanes()
  var t = LaneBits()

  public init() {}

  public mutating func start(lane: Int, rng: inout RandomStream) {
    streams[lane] = rng
    previous[lane] = 0
    t[lane] = 0
  }

  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    for lane in 0..<Lanes.scalarCount where active[lane] {
      shown[lane] = streams[lane].next() & 1 == 0 ? -1 : 1
    }
    evaluator.setInput(0, shown)
  }

  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    let out = evaluator.outputLanes(0)
    let right = (t .> 0) .& (out * previous .> 0)
    previous = shown
    t &+= 1
    return (LaneMath.select(right, Lanes(repeating: 1), Lanes()), t .>= Int64(RecallTask.length))
  }
}

extension RecallTask {
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    var lanes = RecallLanes()
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
