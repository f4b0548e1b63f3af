import CSwingUpLanes
import WANNCore

/// Eight CartPoleSwingUp episodes stepping together, each lane bit for bit the scalar
/// `CartPoleSwingUp`: the step is the CSwingUpLanes kernel (the same operations in the same
/// order on 8-lane vectors, glibc's `sincos` and `cos` per active lane, and `PowSquare`'s
/// shortcut in vector form with pow for the lanes it cannot vouch for). The tests replay lanes
/// against scalar rollouts.
public struct SwingUpLanes: LaneEnvironment {
  public let observesVelocities: Bool
  var state = wann_swingup_lanes()

  public init(observesVelocities: Bool = true) { self.observesVelocities = observesVelocities }

  public mutating func start(lane: Int, rng: inout RandomStream) {
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    Self.set(&state.x, lane, env.x)
    Self.set(&state.xDot, lane, env.xDot)
    Self.set(&state.theta, lane, env.theta)
    Self.set(&state.thetaDot, lane, env.thetaDot)
    Self.set(&state.sinTheta, lane, env.sinTheta)
    Self.set(&state.cosTheta, lane, env.cosTheta)
    Self.set(&state.t, lane, Int64(0))
  }

  /// Lane `lane` of one of the state's C arrays (imported as a tuple of eight).
  @inline(__always)
  static func set<T, V>(_ array: inout T, _ lane: Int, _ value: V) {
    withUnsafeMutableBytes(of: &array) { $0.storeBytes(of: value, toByteOffset: lane * MemoryLayout<V>.stride, as: V.self) }
  }

  /// One of the state's C arrays of doubles as a lane vector (the same eight doubles).
  @inline(__always)
  static func lanes<T>(_ array: T) -> Lanes { unsafeBitCast(array, to: Lanes.self) }

  @inline(__always)
  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    if observesVelocities {
      evaluator.setInput(0, Self.lanes(state.x))
      evaluator.setInput(1, Self.lanes(state.xDot))
      evaluator.setInput(2, Self.lanes(state.cosTheta))
      evaluator.setInput(3, Self.lanes(state.sinTheta))
      evaluator.setInput(4, Self.lanes(state.thetaDot))
    } else {
      evaluator.setInput(0, Self.lanes(state.x))
      evaluator.setInput(1, Self.lanes(state.cosTheta))
      evaluator.setInput(2, Self.lanes(state.sinTheta))
    }
  }

  @inline(__always)
  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (reward: Lanes, done: LaneMask) {
    state.action = unsafeBitCast(evaluator.outputLanes(0), to: type(of: state.action))
    state.active = unsafeBitCast(active._storage, to: type(of: state.active))
    wann_swingup_step(&state)
    return (Self.lanes(state.reward), unsafeBitCast(state.done, to: LaneBits.self) .!= 0)
  }
}

extension SwingUpTask {
  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
                       episodes: EpisodeKey) -> [RolloutResult] {
    var lanes = SwingUpLanes(observesVelocities: observesVelocities)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
