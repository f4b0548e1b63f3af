import CBox2DWalker
import WANNCore

/// The walker's ground: surface points (x, y) and, in the hardcore variant, obstacle
/// quadrilaterals (pits, stumps, stairs), generated as the original release's
/// `_generate_terrain` does, from one of our random streams instead of NumPy's.
public struct WalkerTerrain: Sendable, Equatable {
  public var x: [Double]
  public var y: [Double]
  /// Quadrilaterals, 8 values each (x0 y0 x1 y1 x2 y2 x3 y3), in creation order.
  public var polygons: [Double]

  public init(x: [Double], y: [Double], polygons: [Double]) {
    self.x = x
    self.y = y
    self.polygons = polygons
  }

  static let scale = 30.0
  static let step = 14 / scale
  static let length = 200
  static let height = 400 / scale / 4
  static let grass = 10
  static let startPad = 20

  /// The original's terrain generator (grass with a random walk of the slope; in hardcore mode
  /// also pits, stumps and stairs after each grass stretch).
  public static func generate(hardcore: Bool, rng: inout RandomStream) -> WalkerTerrain {
    enum State: Int { case grass, stump, stairs, pit }
    var state = State.grass
    var velocity = 0.0
    var y = height
    var counter = startPad
    var oneshot = false
    var xs: [Double] = [], ys: [Double] = [], polygons: [Double] = []
    var originalY = 0.0
    var stairHeight = 0, stairWidth = 0, stairSteps = 0
    func randint(_ low: Int, _ high: Int) -> Int { low + rng.uniformInt(below: high - low) }  // [low, high)
    func quad(_ p: [(Double, Double)]) { for (a, b) in p { polygons += [a, b] } }
    for i in 0..<length {
      let x = Double(i) * step
      xs.append(x)
      if state == .grass && !oneshot {
        velocity = 0.8 * velocity + 0.01 * (height - y > 0 ? 1 : height - y < 0 ? -1 : 0)
        if i > startPad { velocity += (rng.uniform() * 2 - 1) / scale }
        y += velocity
      } else if state == .pit && oneshot {
        counter = randint(3, 5)
        let poly = [(x, y), (x + step, y), (x + step, y - 4 * step), (x, y - 4 * step)]
        quad(poly)
        quad(poly.map { ($0.0 + step * Double(counter), $0.1) })
        counter += 2
        originalY = y
      } else if state == .pit && !oneshot {
        y = originalY
        if counter > 1 { y -= 4 * step }
      } else if state == .stump && oneshot {
        counter = randint(1, 3)
        let c = Double(counter)
        quad([(x, y), (x + c * step, y), (x + c * step, y + c * step), (x, y + c * step)])
      } else if state == .stairs && oneshot {
        stairHeight = rng.uniform() > 0.5 ? 1 : -1
        stairWidth = randint(4, 5)
        stairSteps = randint(3, 5)
        originalY = y
        for s in 0..<stairSteps {
          let w = Double(stairWidth), h = Double(stairHeight), sd = Double(s)
          quad([
            (x + sd * w * step, y + sd * h * step), (x + (1 + sd) * w * step, y + sd * h * step),
            (x + (1 + sd) * w * step, y + (-1 + sd * h) * step), (x + sd * w * step, y + (-1 + sd * h) * step),
          ])
        }
        counter = stairSteps * stairWidth
      } else if state == .stairs && !oneshot {
        let s = stairSteps * stairWidth - counter - stairHeight
        let n = Double(s) / Double(stairWidth)
        y = originalY + n * Double(stairHeight) * step
      }
      oneshot = false
      ys.append(y)
      counter -= 1
      if counter == 0 {
        counter = randint(grass / 2, grass)
        if state == .grass && hardcore {
          state = State(rawValue: randint(1, 4))!
        } else {
          state = .grass
        }
        oneshot = true
      }
    }
    return WalkerTerrain(x: xs, y: ys, polygons: polygons)
  }
}

/// One BipedalWalker world (Box2D through CBox2DWalker), owned: the C world is freed with it.
/// Reset it with a terrain, then step it; stepping allocates nothing on the Swift side.
public final class BipedalWalkerSimulation {
  private let world: OpaquePointer
  /// The latest 24 observations (hull angle and speeds, joints, contacts, 10 lidar fractions).
  public private(set) var observation = [Double](repeating: 0, count: 24)
  public private(set) var done = false

  public init() { world = walker_create() }
  deinit { walker_destroy(world) }

  /// Starts an episode: the terrain, the hull's initial push, and the step limit (1600; 2000 in
  /// hardcore). Takes the original's first zero-action step, as its `reset` does.
  public func reset(_ terrain: WalkerTerrain, initialForce: Double, stepLimit: Int) {
    done = false
    terrain.x.withUnsafeBufferPointer { x in
      terrain.y.withUnsafeBufferPointer { y in
        terrain.polygons.withUnsafeBufferPointer { p in
          observation.withUnsafeMutableBufferPointer { o in
            walker_reset(
              world, x.baseAddress, y.baseAddress, Int32(x.count), p.baseAddress, Int32(p.count / 8), initialForce,
              Int32(stepLimit), o.baseAddress)
          }
        }
      }
    }
  }

  /// One step with `action` (4 values: hip and knee torques of each leg, in [-1, 1]).
  @discardableResult
  public func step(_ action: (Double, Double, Double, Double)) -> Double {
    var flag: Int32 = 0
    var a = action  // a homogeneous tuple: four contiguous doubles, no heap allocation
    let reward = withUnsafePointer(to: &a) { tuple in
      tuple.withMemoryRebound(to: Double.self, capacity: 4) { ap in
        observation.withUnsafeMutableBufferPointer { o in walker_step(world, ap, o.baseAddress, &flag) }
      }
    }
    done = flag != 0
    return reward
  }

  public var hullX: Double { walker_hull_x(world) }
}

/// BipedalWalker as a WANN task (24 inputs, 4 linear outputs used directly as the action, the
/// environment clips them). A rollout follows the original's `testInd`: the first action comes
/// from the reset observation, then the network acts on each new observation until the episode
/// ends (a fall, leaving the terrain, or the step limit); like the original, the done flag of
/// the very first step is not checked.
public struct BipedTask: WANNTask {
  public let hardcore: Bool
  /// Steps after the reset step (the original's max_episode_length: 1600 for the walker).
  public let maxSteps: Int

  public init(hardcore: Bool = false, maxSteps: Int? = nil) {
    self.hardcore = hardcore
    self.maxSteps = maxSteps ?? (hardcore ? 2000 : 1600)
  }

  public var kind: TaskKind { hardcore ? .bipedHardcore : .biped }
  public static let inputNames =
    [
      "hull_angle", "hull_vel_angle", "vel_x", "vel_y",
      "hip1_angle", "hip1_speed", "knee1_angle", "knee1_speed", "leg1_contact",
      "hip2_angle", "hip2_speed", "knee2_angle", "knee2_speed", "leg2_contact",
    ] + (0..<10).map { "lidar_\($0)" }
  public var inputLabels: [String] { Self.inputNames }
  public var outputLabels: [String] { ["hip_1", "knee_1", "hip_2", "knee_2"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    let terrain = WalkerTerrain.generate(hardcore: hardcore, rng: &rng)
    let push = (rng.uniform() * 2 - 1) * 5  // INITIAL_RANDOM = 5
    let sim = BipedalWalkerSimulation()
    sim.reset(terrain, initialForce: push, stepLimit: maxSteps)
    evaluator.resetState()
    var total = 0.0
    var steps = 0
    while true {
      for i in 0..<24 { evaluator.setInput(i, sim.observation[i]) }
      evaluator.forward(weight: weight)
      total += sim.step((evaluator.output(0), evaluator.output(1), evaluator.output(2), evaluator.output(3)))
      steps += 1
      if (sim.done && steps > 1) || steps > maxSteps { break }
    }
    return RolloutResult(reward: total, steps: steps)
  }
}

/// Eight walker episodes whose networks step together in lanes; the Box2D physics (most of a
/// walker step) stays one simulation per lane.
public struct BipedLanes: LaneEnvironment {
  let task: BipedTask
  let simulations = (0..<Lanes.scalarCount).map { _ in BipedalWalkerSimulation() }
  var t = LaneBits()

  init(task: BipedTask) { self.task = task }

  public mutating func start(lane: Int, rng: inout RandomStream) {
    let terrain = WalkerTerrain.generate(hardcore: task.hardcore, rng: &rng)
    let push = (rng.uniform() * 2 - 1) * 5  // INITIAL_RANDOM = 5
    simulations[lane].reset(terrain, initialForce: push, stepLimit: task.maxSteps)
    t[lane] = 0
  }

  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    for i in 0..<24 {
      var v = Lanes()
      for lane in 0..<Lanes.scalarCount where active[lane] { v[lane] = simulations[lane].observation[i] }
      evaluator.setInput(i, v)
    }
  }

  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    let a0 = evaluator.outputLanes(0), a1 = evaluator.outputLanes(1)
    let a2 = evaluator.outputLanes(2), a3 = evaluator.outputLanes(3)
    var reward = Lanes()
    var done = LaneMask(repeating: false)
    t &+= 1
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let sim = simulations[lane]
      reward[lane] = sim.step((a0[lane], a1[lane], a2[lane], a3[lane]))
      let steps = Int(t[lane])
      done[lane] = (sim.done && steps > 1) || steps > task.maxSteps
    }
    return (reward, done)
  }
}

extension BipedTask {
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    guard plans.count > 1 else { return scalarRollouts(&evaluator, plans: plans, episodes: episodes) }
    var lanes = BipedLanes(task: self)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}
