import Foundation
import Testing
@testable import WANNCore

/// The activation kernels (CLanes) against the C library. `wann bench --workloads exactness`
/// runs the same checks on 10^7 arguments per kernel in the release build.
@Suite struct LaneMathTests {
  /// A grid that covers tiny, moderate and large arguments of both signs, plus special points.
  static let grid: [Double] = {
    var xs: [Double] = [
      0, -0.0, 0.0625, -0.0625, 0.5, 0.625, 1, 1.5, 2, 22, 23, 1e-300, .leastNonzeroMagnitude, 1e6 + 0.25, 0x1p50 + 0.5,
    ]
    var rng = RandomStream(seed: 11, purpose: .benchmark)
    for _ in 0..<20_000 { xs.append((rng.uniform() * 2 - 1) * 8) }
    for _ in 0..<5_000 { xs.append((rng.uniform() * 2 - 1) * 0.1) }
    for _ in 0..<5_000 { xs.append((rng.uniform() * 2 - 1) * 1e4) }
    return xs + xs.map { -$0 }
  }()

  /// Runs `kernel` over `xs` eight at a time.
  static func lanes(_ xs: [Double], _ kernel: (Lanes) -> Lanes) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(xs.count + 8)
    var i = 0
    while i < xs.count {
      var v = Lanes()
      for l in 0..<8 { v[l] = i + l < xs.count ? xs[i + l] : 0 }
      let r = kernel(v)
      for l in 0..<8 where i + l < xs.count { out.append(r[l]) }
      i += 8
    }
    return out
  }

  static func ulps(_ got: Double, _ reference: Double) -> Double { KernelCheck.ulps(got, reference) }

  @Test func expIsWithinOneUlpOfTheCLibrary() {
    let xs = Self.grid.map { $0 * 80 }.filter { $0 < 709 } + [-745, -744.5, -708.5, 709.7, 710, 800, -800]
    for (x, got) in zip(xs, Self.lanes(xs, LaneMath.exp)) {
      #expect(Self.ulps(got, Foundation.exp(x)) <= 1, "exp(\(x)): \(got) vs \(Foundation.exp(x))")
    }
    let special = LaneMath.exp(Lanes(.nan, .infinity, -.infinity, 0, -0.0, 1, 2, 3))
    #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0 && special[3] == 1 && special[4] == 1)
  }

  @Test func tanhIsWithinTwoUlpOfTheCLibrary() {
    for (x, got) in zip(Self.grid, Self.lanes(Self.grid, LaneMath.tanh)) {
      #expect(Self.ulps(got, Foundation.tanh(x)) <= 2, "tanh(\(x)): \(got) vs \(Foundation.tanh(x))")
    }
    let special = LaneMath.tanh(Lanes(.nan, .infinity, -.infinity, 0, -0.0, 30, -30, 1e-300))
    #expect(
      special[0].isNaN && special[1] == 1 && special[2] == -1 && special[3] == 0 && special[5] == 1 && special[6] == -1)
    #expect(special[4] == 0 && special[7] == 1e-300)
  }

  /// sin(πx) and cos(πx) within 2 ulp of the true values (the rounding of π·g and the fdlibm
  /// kernels' last bits; glibc's sin(π·x) would round π·x first and be far worse near zeros).
  @Test func sinPiAndCosPiAreWithinTwoUlp() {
    let xs = Self.grid.filter { $0.magnitude < 0x1p40 }
    #if arch(x86_64) && os(Linux)
      let sines = Self.lanes(xs, LaneMath.sinPi), cosines = Self.lanes(xs, LaneMath.cosPi)
      for (k, x) in xs.enumerated() {
        let reference = KernelCheck.halfTurns(x)
        #expect(KernelCheck.ulps(sines[k], reference.sin) <= 2, "sinPi(\(x)): \(sines[k]) vs \(reference.sin)")
        #expect(KernelCheck.ulps(cosines[k], reference.cos) <= 2, "cosPi(\(x)): \(cosines[k]) vs \(reference.cos)")
      }
    #endif
    // Exact at the points the reduction makes exact.
    let s = LaneMath.sinPi(Lanes(1, 0.5, -0.5, 2, 0x1p52, .nan, .infinity, 0.25))
    #expect(s[0] == 0 && s[1] == 1 && s[2] == -1 && s[3] == 0 && s[4] == 0 && s[5].isNaN && s[6].isNaN)
    let c = LaneMath.cosPi(Lanes(1, 0, 2, 0.5, 0x1p52, .nan, .infinity, 0.25))
    #expect(c[0] == -1 && c[1] == 1 && c[2] == 1 && c[3] == 0 && c[4] == 1 && c[5].isNaN && c[6].isNaN)
  }

  /// Every activation: a scalar call is lane 0 of the vector call, and a lane's bits do not
  /// depend on what the other lanes hold.
  @Test func lanesAreIndependentAndScalarCallsMatch() {
    var rng = RandomStream(seed: 5, purpose: .benchmark)
    for a in Activation.allCases {
      for _ in 0..<500 {
        var v = Lanes(), w = Lanes()
        for l in 0..<8 { v[l] = (rng.uniform() * 2 - 1) * 6; w[l] = l == 3 ? v[l] : (rng.uniform() * 2 - 1) * 1e3 }
        let rv = a(v), rw = a(w)
        #expect(rv[3].bitPattern == rw[3].bitPattern, "\(a) lane 3 depends on its neighbours")
        #expect(a(v[3]).bitPattern == rv[3].bitPattern, "\(a) scalar call differs from its lane")
      }
    }
  }

  @Test func activationsFollowTheOriginalFormulas() {
    let x = Lanes(-1.5, -0.25, 0, 0.25, 1.5, .nan, 3, -3)
    #expect(Activation.step(x) == Lanes(0, 0, 0, 1, 1, 0, 1, 0))
    #expect(Activation.relu(x)[0] == 0 && Activation.relu(x)[4] == 1.5 && Activation.relu(x)[5] == 0)
    #expect(Activation.inverse(x)[0] == 1.5 && Activation.absolute(x)[7] == 3 && Activation.squared(x)[6] == 9)
    for l in [0, 1, 2, 3, 4, 6, 7] {
      let g = Activation.gaussian(x)[l], e = Foundation.exp(-(x[l] * x[l]) / 2)
      #expect(Self.ulps(g, e) <= 1)
      let s = Activation.sigmoid(x)[l], reference = (Foundation.tanh(x[l] / 2) + 1) / 2
      #expect((s - reference).magnitude <= 4 * reference.ulp)
    }
    #expect(Activation.gaussian(Lanes(repeating: 40))[0] == 0)
  }
}
