import WANNCore

/// CartPoleSwingUp as a WANN task: 5 inputs, 1 linear output used as the force. The "novel"
/// variant observes only (x, cos θ, sin θ): velocities must be inferred from the past, which a
/// feed-forward network cannot do.
///
/// The "blink" variant (`swingup-blink`) observes the full state only at every
/// `observationPeriod`-th step (steps 0, k, 2k, ...); at the steps between, every observation
/// input is 0, and a sixth input says which kind of step it is (1: observed, 0: blind). A
/// memoryless network's output on a blind step is a function of its inputs only, and those are
/// the same on every blind step (zeros, flag 0, bias 1): so for each shared weight it pushes the
/// cart with one fixed force on (k - 1) of every k steps, whatever the pole does. Only memory
/// (recurrent links) can carry what was seen into the blind steps.
public struct SwingUpTask: WANNTask {
  public let observesVelocities: Bool
  /// The state is observed at every this-many-th step (1: every step).
  public let observationPeriod: Int
  /// Observation indices the network sees.
  let observed: [Int]

  /// swingup-blink's period: the state is seen at one step in four (25 times a simulated second).
  public static let blinkPeriod = 4

  public init(observesVelocities: Bool = true, observationPeriod: Int = 1) {
    precondition(observationPeriod >= 1)
    self.observesVelocities = observesVelocities
    self.observationPeriod = observationPeriod
    observed = observesVelocities ? [0, 1, 2, 3, 4] : [0, 2, 3]
  }

  public var kind: TaskKind { observationPeriod > 1 ? .swingupBlink : (observesVelocities ? .swingup : .swingupNovel) }
  public var inputLabels: [String] {
    observed.map { CartPoleSwingUp.observationLabels[$0] } + (observationPeriod > 1 ? ["observed now"] : [])
  }
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
      if observationPeriod > 1 {
        for k in 0...observed.count { evaluator.setInput(k, blinkInput(k, of: env, step: steps)) }
      } else if full {
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

  /// Input `k` of swingup-blink at `step` (steps taken so far): the observation on observed
  /// steps, 0 on blind ones; the last input is the flag (1 observed, 0 blind).
  @inline(__always)
  public func blinkInput(_ k: Int, of env: CartPoleSwingUp, step: Int) -> Double {
    let seen = step % observationPeriod == 0
    if k == observed.count { return seen ? 1 : 0 }
    return seen ? env.observation(observed[k]) : 0
  }
}
