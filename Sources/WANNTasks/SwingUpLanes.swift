import CSwingUpLanes
import WANNCore

/// Eight CartPoleSwingUp episodes stepping together, each lane bit for bit the scalar
/// `CartPoleSwingUp`: the step is the CSwingUpLanes kernel (the same operations in the same
/// order on 8-lane vectors, glibc's `sincos` and `cos` per active lane, and `PowSquare`'s
/// shortcut in vector form with pow for the lanes it cannot vouch for). The tests replay lanes
/// against scalar rollouts.
public struct SwingUpLanes: LaneEnvironment {
  public let observesVelocities: Bool
  /// As `SwingUpTask.observationPeriod`.
  public let observationPeriod: Int
  var state = wann_swingup_lanes()

  public init(observesVelocities: Bool = true, observationPeriod: Int = 1) {
    self.observesVelocities = observesVelocities
    self.observationPeriod = observationPeriod
  }

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
    withUnsafeMutableBytes(of: &array) {
      $0.storeBytes(of: value, toByteOffset: lane * MemoryLayout<V>.stride, as: V.self)
    }
  }

  /// One of the state's C arrays of doubles as a lane vector (the same eight doubles).
  @inline(__always)
  static func lanes<T>(_ array: T) -> Lanes { unsafeBitCast(array, to: Lanes.self) }

  @inline(__always)
  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    if observationPeriod > 1 {
      // Each lane's step count decides whether it sees its state; a blind lane gets exact zeros
      // (a select, not a product, so no -0.0 differs from the scalar rollout's 0).
      var seen = LaneMask()
      withUnsafeBytes(of: state.t) { t in
        for lane in 0..<Lanes.scalarCount {
          seen[lane] =
            t.load(fromByteOffset: lane * MemoryLayout<Int64>.stride, as: Int64.self) % Int64(observationPeriod) == 0
        }
      }
      let zero = Lanes(repeating: 0)
      evaluator.setInput(0, zero.replacing(with: Self.lanes(state.x), where: seen))
      evaluator.setInput(1, zero.replacing(with: Self.lanes(state.xDot), where: seen))
      evaluator.setInput(2, zero.replacing(with: Self.lanes(state.cosTheta), where: seen))
      evaluator.setInput(3, zero.replacing(with: Self.lanes(state.sinTheta), where: seen))
      evaluator.setInput(4, zero.replacing(with: Self.lanes(state.thetaDot), where: seen))
      evaluator.setInput(5, zero.replacing(with: Lanes(repeating: 1), where: seen))
    } else if observesVelocities {
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
  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    state.action = unsafeBitCast(evaluator.outputLanes(0), to: type(of: state.action))
    state.active = unsafeBitCast(active._storage, to: type(of: state.active))
    wann_swingup_step(&state)
    return (Self.lanes(state.reward), unsafeBitCast(state.done, to: LaneBits.self) .!= 0)
  }
}

extension SwingUpTask {
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    var lanes = SwingUpLanes(observesVelocities: observesVelocities, observationPeriod: observationPeriod)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
