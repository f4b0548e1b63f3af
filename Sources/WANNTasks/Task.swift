import WANNCore

/// Result of one episode.
public struct RolloutResult: Sendable, Equatable {
  public var reward: Double
  public var steps: Int
}

/// A task a WANN is scored on: its interface (sizes, labels, hidden activation set) and one
/// rollout of a loaded network at one shared weight. Implementations keep their environment on
/// the stack and allocate nothing per step.
public protocol WANNTask: Sendable {
  var kind: TaskKind { get }
  var inputLabels: [String] { get }
  var outputLabels: [String] { get }
  /// The original release's hidden activation set for this task.
  var hiddenActivations: [Activation] { get }
  /// Runs one episode of the network loaded in `evaluator` with every connection at `weight`;
  /// the episode's randomness (initial state) comes from `rng`.
  func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult
}

extension WANNTask {
  public var inputCount: Int { inputLabels.count }
  public var outputCount: Int { outputLabels.count }
}

public enum Tasks {
  public static func make(_ kind: TaskKind) -> any WANNTask {
    switch kind {
    case .swingup: SwingUpTask()
    case .swingupNovel: SwingUpTask(observesVelocities: false)
    case .recall: RecallTask()
    }
  }
}

/// CartPoleSwingUp as a WANN task: 5 inputs, 1 linear output used as the force. The "novel"
/// variant observes only (x, cos θ, sin θ): velocities must be inferred from the past, which a
/// feed-forward network cannot do.
public struct SwingUpTask: WANNTask {
  public let observesVelocities: Bool
  /// Observation indices the network sees.
  let observed: [Int]

  public init(observesVelocities: Bool = true) {
    self.observesVelocities = observesVelocities
    observed = observesVelocities ? [0, 1, 2, 3, 4] : [0, 2, 3]
  }

  public var kind: TaskKind { observesVelocities ? .swingup : .swingupNovel }
  public var inputLabels: [String] { observed.map { CartPoleSwingUp.observationLabels[$0] } }
  public var outputLabels: [String] { ["force"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  /// As the original's `testInd`: the first action comes from the reset observation, then the
  /// network acts on each new observation until the environment ends the episode (at most 1000
  /// steps). Like the original, the done flag of the very first step is not checked.
  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    evaluator.resetState()
    var total = 0.0
    var steps = 0
    let full = observesVelocities
    while true {
      if full {
        for i in 0..<5 { evaluator.setInput(i, env.observation(i)) }
      } else {
        evaluator.setInput(0, env.x)
        evaluator.setInput(1, env.cosTheta)
        evaluator.setInput(2, env.sinTheta)
      }
      evaluator.forward(weight: weight)
      let (reward, done) = env.step(evaluator.output(0))
      total += reward
      steps += 1
      if done && steps > 1 { break }
    }
    return RolloutResult(reward: total, steps: steps)
  }
}

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
