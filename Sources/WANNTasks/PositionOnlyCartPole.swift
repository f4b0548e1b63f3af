import Glibc
import WANNCore

/// POPGym's PositionOnlyCartPole and NoisyPositionOnlyCartPole (docs/popgym.md): Gymnasium's
/// CartPole-v1 physics observed only through the cart's position and the pole's angle (as
/// float32), for 200, 400 or 600 steps; the noisy variant adds N(0, 0.1, 0.2 or 0.3) noise to
/// both (as float32, clipped to the observation bounds). A memoryless network cannot infer the
/// velocities.
///
/// Given the package's initial state and noise draws (recorded through the package) and the same
/// actions, every observation, reward and end flag equals the package's bit for bit
/// (`PositionOnlyCartPoleTests`): the arithmetic is Gymnasium's, operation for operation, and
/// `cos` and `sin` are the C library's, which NumPy's float64 `cos` and `sin` matched on all
/// 200,000 arguments checked here. Native episodes draw the initial state (U(-0.05, 0.05) four
/// times) and the noise (Gaussian) from the rollout's keyed stream: the package's distributions,
/// not its generator.
public struct CartPoleMemoryGame: Sendable, Hashable {
  public let difficulty: CardGame.Difficulty
  public let noisy: Bool

  public init(noisy: Bool, _ difficulty: CardGame.Difficulty) {
    self.noisy = noisy
    self.difficulty = difficulty
  }

  public static let all: [CartPoleMemoryGame] = [false, true].flatMap { n in
    CardGame.Difficulty.allCases.map { CartPoleMemoryGame(noisy: n, $0) }
  }

  var level: Int { CardGame.Difficulty.allCases.firstIndex(of: difficulty)! }
  /// Steps before the package truncates the episode.
  public var maxSteps: Int { noisy ? 200 : [200, 400, 600][level] }
  /// The noise's standard deviation (0 without noise).
  public var noiseSigma: Double { noisy ? [0.1, 0.2, 0.3][level] : 0 }
  public var taskName: String { "popgym-\(noisy ? "noisy-" : "")position-only-cartpole-\(difficulty.rawValue)" }
  public var packageID: String {
    "popgym-\(noisy ? "Noisy" : "")PositionOnlyCartPole\(difficulty.rawValue.prefix(1).uppercased() + difficulty.rawValue.dropFirst())-v0"
  }
  /// Every surviving step pays this (1 / max steps, the package's transformed reward).
  public var stepReward: Double { 1.0 / Double(maxSteps) }
}

/// One episode of (noisy) position-only cart-pole: Gymnasium's CartPoleEnv constants and
/// arithmetic, in its order of operations.
public struct CartPoleMemoryEpisode: Sendable {
  public let game: CartPoleMemoryGame
  public private(set) var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0
  public private(set) var steps = 0
  /// The observation: position and angle as float32, noise added and clipped when noisy.
  public private(set) var observation: (Float, Float) = (0, 0)

  static let gravity = 9.8, massCart = 1.0, massPole = 0.1
  static let totalMass = massPole + massCart
  static let length = 0.5
  static let poleMassLength = massPole * length
  static let forceMag = 10.0, tau = 0.02
  static let thetaThreshold = 12 * 2 * Double.pi / 360
  static let xThreshold = 2.4
  /// The observation space's bounds (float32, as the package declares them).
  static let high: (Float, Float) = (Float(xThreshold * 2), Float(thetaThreshold * 2))

  public init(_ game: CartPoleMemoryGame) { self.game = game }

  /// A new episode from the package's initial state and (when noisy) its first noise draw.
  public mutating func start(state: (Double, Double, Double, Double), noise: (Float, Float) = (0, 0)) {
    (x, xDot, theta, thetaDot) = state
    steps = 0
    observe(noise)
  }

  /// A new episode drawn from `rng`: the state U(-0.05, 0.05) four times, then the noise.
  public mutating func start(using rng: inout RandomStream) {
    let s = (0..<4).map { _ in -0.05 + 0.1 * rng.uniform() }
    start(state: (s[0], s[1], s[2], s[3]), noise: drawNoise(&rng))
  }

  /// This step's noise (zero without noise).
  public func drawNoise(_ rng: inout RandomStream) -> (Float, Float) {
    guard game.noisy else { return (0, 0) }
    return (Float(rng.gaussian() * game.noiseSigma), Float(rng.gaussian() * game.noiseSigma))
  }

  private mutating func observe(_ noise: (Float, Float)) {
    let o = (Float(x), Float(theta))
    guard game.noisy else {
      observation = o
      return
    }
    let h = Self.high
    observation = (min(max(o.0 + noise.0, -h.0), h.0), min(max(o.1 + noise.1, -h.1), h.1))
  }

  /// Pushes left (action 0) or right (1); returns the reward and the package's end flags.
  public mutating func step(_ action: Int, noise: (Float, Float) = (0, 0)) -> (
    reward: Double, terminated: Bool, truncated: Bool
  ) {
    let force = action == 1 ? Self.forceMag : -Self.forceMag
    let c = cos(theta), s = sin(theta)
    let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * s) / Self.totalMass
    let thetaAcc =
      (Self.gravity * s - c * temp) / (Self.length * (4.0 / 3.0 - Self.massPole * (c * c) / Self.totalMass))
    let xAcc = temp - Self.poleMassLength * thetaAcc * c / Self.totalMass
    x = x + Self.tau * xDot
    xDot = xDot + Self.tau * xAcc
    theta = theta + Self.tau * thetaDot
    thetaDot = thetaDot + Self.tau * thetaAcc
    let terminated =
      x < -Self.xThreshold || x > Self.xThreshold || theta < -Self.thetaThreshold || theta > Self.thetaThreshold
    steps += 1
    observe(noise)
    // The package's reward is CartPole's 1.0 on every step up to and including the one that
    // ends the episode, transformed to 1 / max steps.
    return (game.stepReward, terminated, steps >= game.maxSteps)
  }
}

/// (Noisy) position-only cart-pole as a WANN task: inputs position and angle, outputs left and
/// right (the larger pushes; ties: left), as the bridge maps the package's Discrete(2).
public struct CartPoleMemoryTask: WANNTask {
  public let game: CartPoleMemoryGame
  public init(_ game: CartPoleMemoryGame) { self.game = game }

  public var kind: TaskKind { TaskKind(rawValue: game.taskName)! }
  public var inputLabels: [String] { ["x", "theta"] }
  public var outputLabels: [String] { ["left", "right"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var episode = CartPoleMemoryEpisode(game)
    episode.start(using: &rng)
    evaluator.resetState()
    var total = 0.0
    while true {
      evaluator.setInput(0, Double(episode.observation.0))
      evaluator.setInput(1, Double(episode.observation.1))
      evaluator.forward(weight: weight)
      let action = CartPoleMemoryTask.push(left: evaluator.output(0), right: evaluator.output(1))
      let r = episode.step(action, noise: episode.drawNoise(&rng))
      total += r.reward
      if r.terminated || r.truncated { return RolloutResult(reward: total, steps: episode.steps) }
    }
  }

  /// 1 (right) when the right output is the strictly larger (NaN never wins), as the bridge picks
  /// a Discrete(2) action.
  @inline(__always) static func push(left: Double, right: Double) -> Int {
    right > (left.isNaN ? -.infinity : left) ? 1 : 0
  }

  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey)
    -> [RolloutResult]
  {
    var lanes = CartPoleMemoryLanes(game)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}

/// Eight cart-pole episodes stepping together, each drawing its noise from its own stream.
public struct CartPoleMemoryLanes: LaneEnvironment {
  var episodes: [CartPoleMemoryEpisode]
  var streams: [RandomStream]

  public init(_ game: CartPoleMemoryGame) {
    episodes = [CartPoleMemoryEpisode](repeating: CartPoleMemoryEpisode(game), count: Lanes.scalarCount)
    streams = [RandomStream](repeating: RandomStream(seed: 0, purpose: .benchmark), count: Lanes.scalarCount)
  }

  public mutating func start(lane: Int, rng: inout RandomStream) {
    episodes[lane].start(using: &rng)
    streams[lane] = rng
  }

  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    var x = Lanes(), theta = Lanes()
    for lane in 0..<Lanes.scalarCount where active[lane] {
      x[lane] = Double(episodes[lane].observation.0)
      theta[lane] = Double(episodes[lane].observation.1)
    }
    evaluator.setInput(0, x)
    evaluator.setInput(1, theta)
  }

  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    let left = evaluator.outputLanes(0), right = evaluator.outputLanes(1)
    var reward = Lanes()
    var done = LaneMask(repeating: false)
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let action = CartPoleMemoryTask.push(left: left[lane], right: right[lane])
      let noise = episodes[lane].drawNoise(&streams[lane])
      let s = episodes[lane].step(action, noise: noise)
      reward[lane] = s.reward
      done[lane] = s.terminated || s.truncated
    }
    return (reward, done)
  }
}
