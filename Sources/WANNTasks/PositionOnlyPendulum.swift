import Glibc
import WANNCore

/// POPGym's PositionOnlyPendulum (docs/popgym.md): Gymnasium's Pendulum-v1 observed only through
/// cos θ and sin θ (as float32), without the angular velocity, for 200, 150 or 100 steps; each
/// step's reward is the pendulum's -cost rescaled so that an episode's return lies in [-1, 1].
///
/// Given the package's initial state and the same (float32) torques, every observation, reward
/// and end flag, and the final state, equal the package's bit for bit
/// (`PositionOnlyPendulumTests`): the arithmetic is Gymnasium's in its NumPy types (the torque
/// terms in float32, the rest in float64, the angle wrapped with NumPy's floored remainder, the
/// squares as NumPy's scalar power computes them: pow and powf), and `cos` and `sin` are the C
/// library's. Native episodes draw the initial state U(-π, π) and
/// U(-1, 1) from the rollout's keyed stream.
public struct PendulumMemoryGame: Sendable, Hashable {
  public let difficulty: CardGame.Difficulty
  public init(_ difficulty: CardGame.Difficulty) { self.difficulty = difficulty }

  public static let all: [PendulumMemoryGame] = CardGame.Difficulty.allCases.map(PendulumMemoryGame.init)

  public var maxSteps: Int { [200, 150, 100][CardGame.Difficulty.allCases.firstIndex(of: difficulty)!] }
  public var taskName: String { "popgym-position-only-pendulum-\(difficulty.rawValue)" }
  public var packageID: String {
    "popgym-PositionOnlyPendulum\(difficulty.rawValue.prefix(1).uppercased() + difficulty.rawValue.dropFirst())-v0"
  }
}

/// One episode of position-only pendulum, in Gymnasium's order of operations and NumPy's types.
public struct PendulumMemoryEpisode: Sendable {
  public let game: PendulumMemoryGame
  public private(set) var theta = 0.0, thetaDot = 0.0
  public private(set) var steps = 0
  /// cos θ and sin θ of the current state: the observation, and the next step's sin θ.
  private var cosTheta = 1.0, sinTheta = 0.0

  static let maxSpeed = 8.0, maxTorque: Float = 2.0, dt = 0.05, g = 10.0, m = 1.0, l = 1.0
  /// Half the range of Pendulum's reward, which the package's transform maps to [-1, 1].
  static let halfRange = (0 - -16.2736044) / 2

  public init(_ game: PendulumMemoryGame) { self.game = game }

  /// cos θ and sin θ as float32, as the package observes them.
  public var observation: (Float, Float) { (Float(cosTheta), Float(sinTheta)) }

  public mutating func start(state: (Double, Double)) {
    (theta, thetaDot) = state
    steps = 0
    cosTheta = cos(theta)
    sinTheta = sin(theta)
  }

  /// A new episode drawn from `rng`: θ ~ U(-π, π), then θ' ~ U(-1, 1) (NumPy's low + (high - low) u).
  public mutating func start(using rng: inout RandomStream) {
    let t = -Double.pi + (Double.pi - -Double.pi) * rng.uniform()
    let d = -1.0 + (1.0 - -1.0) * rng.uniform()
    start(state: (t, d))
  }

  /// NumPy's float remainder (floored: the result has the divisor's sign).
  @inline(__always) static func floorRemainder(_ a: Double, _ b: Double) -> Double {
    var r = fmod(a, b)
    if r != 0 {
      if (b < 0) != (r < 0) { r += b }
    } else {
      r = copysign(0, b)
    }
    return r
  }

  /// Applies `torque` (float32, clipped to ±2 as the package clips it); returns the rescaled
  /// reward and whether the time limit ended the episode.
  public mutating func step(_ torque: Float) -> (reward: Double, truncated: Bool) {
    let u = min(max(torque, -Self.maxTorque), Self.maxTorque)
    let wrapped = Self.floorRemainder(theta + Double.pi, 2 * Double.pi) - Double.pi
    // NumPy's scalar `x ** 2` is the C library's pow (powf for float32), which differs from x * x
    // in about one argument in 1,200; the torque terms are float32 in the package (a float32
    // times a Python float stays float32).
    let costs = PowSquare.square(wrapped) + 0.1 * PowSquare.square(thetaDot) + Double(Float(0.001) * powf(u, 2))
    let torqueTerm = Double(Float(3.0 / (Self.m * Self.l * Self.l)) * u)
    var newThetaDot = thetaDot + (3 * Self.g / (2 * Self.l) * sinTheta + torqueTerm) * Self.dt
    newThetaDot = min(max(newThetaDot, -Self.maxSpeed), Self.maxSpeed)
    theta = theta + newThetaDot * Self.dt
    thetaDot = newThetaDot
    cosTheta = cos(theta)
    sinTheta = sin(theta)
    steps += 1
    let reward = ((-costs + Self.halfRange) / Self.halfRange) / Double(game.maxSteps)
    return (reward, steps >= game.maxSteps)
  }
}

/// Position-only pendulum as a WANN task: inputs cos θ and sin θ, one output, the torque
/// (clipped to ±2, not scaled; NaN acts as 0), as the bridge maps the package's Box action.
public struct PendulumMemoryTask: WANNTask {
  public let game: PendulumMemoryGame
  public init(_ game: PendulumMemoryGame) { self.game = game }

  public var kind: TaskKind { TaskKind(rawValue: game.taskName)! }
  public var inputLabels: [String] { ["cos theta", "sin theta"] }
  public var outputLabels: [String] { ["torque"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  /// The torque the package receives: the output clipped to ±2 (NaN: 0), as float32.
  @inline(__always) static func torque(_ output: Double) -> Float {
    Float(output.isNaN ? 0 : min(max(output, -2), 2))
  }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var episode = PendulumMemoryEpisode(game)
    episode.start(using: &rng)
    evaluator.resetState()
    var total = 0.0
    while true {
      let o = episode.observation
      evaluator.setInput(0, Double(o.0))
      evaluator.setInput(1, Double(o.1))
      evaluator.forward(weight: weight)
      let r = episode.step(Self.torque(evaluator.output(0)))
      total += r.reward
      if r.truncated { return RolloutResult(reward: total, steps: episode.steps) }
    }
  }

  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey)
    -> [RolloutResult]
  {
    var lanes = PendulumMemoryLanes(game)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}

/// Eight pendulum episodes stepping together.
public struct PendulumMemoryLanes: LaneEnvironment {
  var episodes: [PendulumMemoryEpisode]

  public init(_ game: PendulumMemoryGame) {
    episodes = [PendulumMemoryEpisode](repeating: PendulumMemoryEpisode(game), count: Lanes.scalarCount)
  }

  public mutating func start(lane: Int, rng: inout RandomStream) { episodes[lane].start(using: &rng) }

  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    var c = Lanes(), s = Lanes()
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let o = episodes[lane].observation
      c[lane] = Double(o.0)
      s[lane] = Double(o.1)
    }
    evaluator.setInput(0, c)
    evaluator.setInput(1, s)
  }

  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    let out = evaluator.outputLanes(0)
    var reward = Lanes()
    var done = LaneMask(repeating: false)
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let r = episodes[lane].step(PendulumMemoryTask.torque(out[lane]))
      reward[lane] = r.reward
      done[lane] = r.truncated
    }
    return (reward, done)
  }
}
