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
  /// The eight lanes' state, owned by the caller (`SwingUpTask.rollouts`): behind a pointer, so
  /// that handing it to the C step copies nothing (stored in the struct, its 800 bytes were
  /// copied around every step: 2-3% of a search's time).
  let state: UnsafeMutablePointer<wann_swingup_lanes>

  public init(
    state: UnsafeMutablePointer<wann_swingup_lanes>, observesVelocities: Bool = true, observationPeriod: Int = 1
  ) {
    self.state = state
    self.observesVelocities = observesVelocities
    self.observationPeriod = observationPeriod
  }

  public mutating func start(lane: Int, rng: inout RandomStream) {
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    Self.set(&state.pointee.x, lane, env.x)
    Self.set(&state.pointee.xDot, lane, env.xDot)
    Self.set(&state.pointee.theta, lane, env.theta)
    Self.set(&state.pointee.thetaDot, lane, env.thetaDot)
    Self.set(&state.pointee.sinTheta, lane, env.sinTheta)
    Self.set(&state.pointee.cosTheta, lane, env.cosTheta)
    Self.set(&state.pointee.t, lane, Int64(0))
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
      withUnsafeBytes(of: state.pointee.t) { t in
        for lane in 0..<Lanes.scalarCount {
          seen[lane] =
            t.load(fromByteOffset: lane * MemoryLayout<Int64>.stride, as: Int64.self) % Int64(observationPeriod) == 0
        }
      }
      let zero = Lanes(repeating: 0)
      evaluator.setInput(0, zero.replacing(with: Self.lanes(state.pointee.x), where: seen))
      evaluator.setInput(1, zero.replacing(with: Self.lanes(state.pointee.xDot), where: seen))
      evaluator.setInput(2, zero.replacing(with: Self.lanes(state.pointee.cosTheta), where: seen))
      evaluator.setInput(3, zero.replacing(with: Self.lanes(state.pointee.sinTheta), where: seen))
      evaluator.setInput(4, zero.replacing(with: Self.lanes(state.pointee.thetaDot), where: seen))
      evaluator.setInput(5, zero.replacing(with: Lanes(repeating: 1), where: seen))
    } else if observesVelocities {
      evaluator.setInput(0, Self.lanes(state.pointee.x))
      evaluator.setInput(1, Self.lanes(state.pointee.xDot))
      evaluator.setInput(2, Self.lanes(state.pointee.cosTheta))
      evaluator.setInput(3, Self.lanes(state.pointee.sinTheta))
      evaluator.setInput(4, Self.lanes(state.pointee.thetaDot))
    } else {
      evaluator.setInput(0, Self.lanes(state.pointee.x))
      evaluator.setInput(1, Self.lanes(state.pointee.cosTheta))
      evaluator.setInput(2, Self.lanes(state.pointee.sinTheta))
    }
  }

  @inline(__always)
  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    state.pointee.action = unsafeBitCast(evaluator.outputLanes(0), to: type(of: state.pointee.action))
    state.pointee.active = unsafeBitCast(active._storage, to: type(of: state.pointee.active))
    wann_swingup_step(state)
    // The C step writes each done flag as a vector comparison does (all ones or zero), which is
    // a mask's own representation: a cast, where `.!= 0` compiled to a per-lane loop through
    // memory (8% of an early generation's time).
    return (Self.lanes(state.pointee.reward), unsafeBitCast(state.pointee.done, to: LaneMask.self))
  }
}

extension SwingUpTask {
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    let state = UnsafeMutablePointer<wann_swingup_lanes>.allocate(capacity: 1)
    state.initialize(to: wann_swingup_lanes())
    defer { state.deallocate() }
    var lanes = SwingUpLanes(
      state: state, observesVelocities: observesVelocities, observationPeriod: observationPeriod)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
