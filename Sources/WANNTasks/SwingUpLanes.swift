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
  var action = Lanes(), reward = Lanes()
  var activeBits = LaneBits(), doneBits = LaneBits()

  public init(observesVelocities: Bool = true) { self.observesVelocities = observesVelocities }

  public mutating func start(lane: Int, rng: inout RandomStream) {
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    withUnsafeMutableBytes(of: &state) { raw in
      let s = raw.baseAddress!.assumingMemoryBound(to: wann_swingup_lanes.self)
      Self.lane(&s.pointee.x, lane, env.x)
      Self.lane(&s.pointee.xDot, lane, env.xDot)
      Self.lane(&s.pointee.theta, lane, env.theta)
      Self.lane(&s.pointee.thetaDot, lane, env.thetaDot)
      Self.lane(&s.pointee.sinTheta, lane, env.sinTheta)
      Self.lane(&s.pointee.cosTheta, lane, env.cosTheta)
      withUnsafeMutableBytes(of: &s.pointee.t) { $0.storeBytes(of: Int64(0), toByteOffset: lane * 8, as: Int64.self) }
    }
  }

  @inline(__always)
  static func lane<T>(_ tuple: inout T, _ lane: Int, _ value: Double) {
    withUnsafeMutableBytes(of: &tuple) { $0.storeBytes(of: value, toByteOffset: lane * 8, as: Double.self) }
  }

  @inline(__always)
  static func lanes<T>(_ tuple: T) -> Lanes { unsafeBitCast(tuple, to: Lanes.self) }

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
    action = evaluator.outputLanes(0)
    activeBits = active._storage
    withUnsafePointer(to: &action) { a in
      withUnsafePointer(to: &activeBits) { m in
        withUnsafeMutablePointer(to: &reward) { r in
          withUnsafeMutablePointer(to: &doneBits) { d in
            a.withMemoryRebound(to: Double.self, capacity: Lanes.scalarCount) { ap in
              m.withMemoryRebound(to: Int64.self, capacity: Lanes.scalarCount) { mp in
                r.withMemoryRebound(to: Double.self, capacity: Lanes.scalarCount) { rp in
                  d.withMemoryRebound(to: Int64.self, capacity: Lanes.scalarCount) { dp in
                    wann_swingup_step(&state, ap, mp, rp, dp)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (reward, doneBits .!= 0)
  }
}

extension SwingUpTask {
  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
                       episodes: EpisodeKey) -> [RolloutResult] {
    var lanes = SwingUpLanes(observesVelocities: observesVelocities)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
