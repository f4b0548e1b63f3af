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
    }
  }
}

/// CartPoleSwingUp as a WANN task: 5 inputs, 1 linear output used as the force.
public struct SwingUpTask: WANNTask {
  public init() {}
  public var kind: TaskKind { .swingup }
  public var inputLabels: [String] { CartPoleSwingUp.observationLabels }
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
    while true {
      for i in 0..<5 { evaluator.setInput(i, env.observation(i)) }
      evaluator.forward(weight: weight)
      let (reward, done) = env.step(evaluator.output(0))
      total += reward
      steps += 1
      if done && steps > 1 { break }
    }
    return RolloutResult(reward: total, steps: steps)
  }
}
