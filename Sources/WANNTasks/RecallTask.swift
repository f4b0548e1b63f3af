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
