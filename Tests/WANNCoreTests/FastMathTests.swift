import Foundation
import Testing
@testable import WANNCore

@Suite struct FastMathTests {
  /// A grid that covers tiny, moderate and large arguments of both signs, plus special points.
  static let grid: [Double] = {
    var xs: [Double] = [0, -0.0, 0.0625, -0.0625, 0.5, 1, 1.5, 2, 22, 23, 1e-300, .leastNonzeroMagnitude, 1e6 + 0.25, 0x1p52]
    var rng = RandomStream(seed: 11, purpose: .benchmark)
    for _ in 0..<20_000 { xs.append((rng.uniform() * 2 - 1) * 8) }
    for _ in 0..<5_000 { xs.append((rng.uniform() * 2 - 1) * 0.1) }
    for _ in 0..<5_000 { xs.append((rng.uniform() * 2 - 1) * 1e4) }
    return xs + xs.map { -$0 }
  }()

  @Test func tanhIsAccurate() {
    for x in Self.grid {
      let ref = Foundation.tanh(x), got = FastMath.tanh(x)
      #expect(abs(got - ref) <= 3e-16 && abs(got - ref) <= 4e-15 * abs(ref) + 1e-300, "tanh(\(x)): \(got) vs \(ref)")
    }
    #expect(FastMath.tanh(.nan).isNaN && FastMath.tanh(.infinity) == 1 && FastMath.tanh(-.infinity) == -1)
  }

  @Test func gaussianEqualsTheFormula() {
    for x in Self.grid + [38, 38.8, 39, 1e3, 1e200, .infinity] {
      #expect(FastMath.gaussian(x) == Foundation.exp(-(x * x) / 2), "gaussian(\(x))")
    }
    #expect(FastMath.gaussian(.nan).isNaN)
  }

  /// Against the C library's sin(πx): the reference itself rounds πx first, which costs up to
  /// half an ulp of πx; allow that plus a few ulp of the result.
  @Test func sinPiAndCosPiAreAccurate() {
    for x in Self.grid {
      let slack = 4 * (Double.pi * abs(x)).ulp + 1e-15
      #expect(abs(FastMath.sinPi(x) - Foundation.sin(Double.pi * x)) <= slack, "sinPi(\(x))")
      #expect(abs(FastMath.cosPi(x) - Foundation.cos(Double.pi * x)) <= slack, "cosPi(\(x))")
    }
    // Exact at the points the reduction makes exact.
    #expect(FastMath.sinPi(1) == 0 && FastMath.sinPi(0.5) == 1 && FastMath.sinPi(-0.5) == -1)
    #expect(FastMath.cosPi(1) == -1 && FastMath.cosPi(0) == 1 && FastMath.cosPi(2) == 1)
    #expect(FastMath.sinPi(.nan).isNaN && FastMath.cosPi(.infinity).isNaN)
  }
}
