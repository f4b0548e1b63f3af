import WANNCore

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
