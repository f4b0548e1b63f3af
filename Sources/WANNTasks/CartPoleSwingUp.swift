import CLibm
import Foundation
import WANNCore

/// The cart-pole swing-up of the WANN paper, ported so that it reproduces the original release's
/// environment bit for bit: the same order of floating-point operations, the C library's
/// `pow(x, 2.0)` for the original's `x**2` (`PowSquare`; `x * x` differs in about 1 argument of
/// 1,200), no fused multiply-add, and the platform's `sin`/`cos` (glibc on Linux, as NumPy uses).
/// Tests/Fixtures/swingup-episodes.bin holds 268 episodes (181,331 steps) of the original's
/// semantics that the tests replay bit for bit.
///
/// Physics: g = 9.82, cart 0.5 kg, pole 0.5 kg, pole length 0.6, force = 10 * clip(a, -1, 1),
/// friction 0.1, Euler step dt = 0.01 (position first, then velocities from the old state).
/// The episode ends when |x| > 2.4 or after 1000 steps; reward = (cos θ + 1)/2 · cos(x/2.4 · π/2).
public struct CartPoleSwingUp: Sendable, Equatable {
  public static let gravity = 9.82
  public static let cartMass = 0.5
  public static let poleMass = 0.5
  public static let totalMass = poleMass + cartMass
  public static let poleLength = 0.6
  public static let poleMassLength = poleMass * poleLength
  public static let forceMagnitude = 10.0
  public static let dt = 0.01
  public static let friction = 0.1
  public static let xThreshold = 2.4
  public static let stepLimit = 1000
  public static let observationLabels = ["x", "x_dot", "cos(theta)", "sin(theta)", "theta_dot"]

  public var x = 0.0
  public var xDot = 0.0
  public var theta = Double.pi
  public var thetaDot = 0.0
  /// Steps taken since reset.
  public var t = 0
  /// cos and sin of the current theta (computed once per step, reused by reward and observation).
  public private(set) var cosTheta = -1.0
  public private(set) var sinTheta = 0.0

  public init() {}

  public init(x: Double, xDot: Double, theta: Double, thetaDot: Double) {
    setState(x: x, xDot: xDot, theta: theta, thetaDot: thetaDot)
  }

  public mutating func setState(x: Double, xDot: Double, theta: Double, thetaDot: Double) {
    self.x = x
    self.xDot = xDot
    self.theta = theta
    self.thetaDot = thetaDot
    t = 0
    (sinTheta, cosTheta) = CartPoleSwingUp.sinCos(theta)
  }

  /// glibc's sin and cos of `x`, from one `sincos` call (the same bits as `sin` and `cos`).
  @inline(__always)
  static func sinCos(_ x: Double) -> (Double, Double) {
    var s = 0.0, c = 0.0
    wann_libm_sincos(x, &s, &c)
    return (s, c)
  }

  /// Initial state ~ Normal([0, 0, π, 0], 0.2) drawn from `rng` (x, x_dot, θ, θ_dot in turn).
  public mutating func reset(using rng: inout RandomStream) {
    let x = 0.2 * rng.gaussian()
    let xDot = 0.2 * rng.gaussian()
    let theta = Double.pi + 0.2 * rng.gaussian()
    let thetaDot = 0.2 * rng.gaussian()
    setState(x: x, xDot: xDot, theta: theta, thetaDot: thetaDot)
  }

  /// The observation (x, x_dot, cos θ, sin θ, θ_dot).
  @inline(__always)
  public func observation(_ i: Int) -> Double {
    switch i {
    case 0: x
    case 1: xDot
    case 2: cosTheta
    case 3: sinTheta
    default: thetaDot
    }
  }

  public var observation: [Double] { (0..<5).map(observation) }

  /// Advances one step with `action` (clipped to [-1, 1]; NaN counts as 0) and returns the
  /// reward and whether the episode is over.
  @inline(__always)
  public mutating func step(_ action: Double) -> (reward: Double, done: Bool) {
    step(action, squaring: PowSquare.self)
  }

  /// `step` with the squares of the force equations computed by `S` (the tests compare rules).
  @inline(__always)
  mutating func step<S: SquareRule>(_ action: Double, squaring: S.Type) -> (reward: Double, done: Bool) {
    typealias C = CartPoleSwingUp
    var a = action.isNaN ? 0 : action
    a = a < -1 ? -1 : (a > 1 ? 1 : a)
    let force = a * C.forceMagnitude
    // sin and cos of the current theta were computed when it was set: reuse them.
    let s = sinTheta
    let c = cosTheta
    // The original writes theta_dot**2 and c**2: Python's float power, i.e. the C library's pow.
    let td2 = S.square(thetaDot)
    let c2 = S.square(c)
    let xAcc =
      ((((-2 * C.poleMassLength) * td2) * s + ((3 * C.poleMass) * C.gravity) * s * c) + 4 * force
        - (4 * C.friction) * xDot) / (4 * C.totalMass - (3 * C.poleMass) * c2)
    let thetaAcc =
      ((((-3 * C.poleMassLength) * td2) * s) * c + ((6 * C.totalMass) * C.gravity) * s
        + (6 * (force - C.friction * xDot)) * c) / ((4 * C.poleLength) * C.totalMass - (3 * C.poleMassLength) * c2)
    x = x + xDot * C.dt
    theta = theta + thetaDot * C.dt
    xDot = xDot + xAcc * C.dt
    thetaDot = thetaDot + thetaAcc * C.dt
    t += 1
    let done = x < -C.xThreshold || x > C.xThreshold || t >= C.stepLimit
    (sinTheta, cosTheta) = CartPoleSwingUp.sinCos(theta)
    let rewardTheta = (cosTheta + 1.0) / 2.0
    let rewardX = Foundation.cos((x / C.xThreshold) * (Double.pi / 2.0))
    return (rewardTheta * rewardX, done)
  }
}
