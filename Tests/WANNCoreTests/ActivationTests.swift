import Foundation
import Testing
@testable import WANNCore

@Suite struct ActivationTests {
  /// (activation, x, expected) from the original release's formulas.
  static let cases: [(Activation, Double, Double)] = [
    (.linear, -1.5, -1.5), (.step, 0.0, 0.0), (.step, 1e-9, 1.0), (.step, -3, 0.0),
    (.sine, 0.5, 1.0), (.sine, 1.0 / 6, 0.5), (.gaussian, 0, 1.0), (.gaussian, 2, exp(-2.0)),
    (.tanh, 0.5, tanh(0.5)), (.sigmoid, 0, 0.5), (.sigmoid, 2, (tanh(1.0) + 1) / 2),
    (.inverse, 2.5, -2.5), (.absolute, -3, 3), (.relu, -2, 0), (.relu, 2, 2),
    (.cosine, 1, -1), (.cosine, 0, 1), (.squared, -3, 9),
  ]

  @Test(arguments: cases.indices)
  func valueMatchesFormula(_ i: Int) {
    let (a, x, expected) = Self.cases[i]
    #expect(abs(a(x) - expected) <= 1e-12, "\(a)(\(x)) = \(a(x)), expected \(expected)")
  }

  @Test(arguments: Activation.allCases)
  func idsAndNamesRoundTrip(_ a: Activation) {
    #expect(Activation(name: a.name) == a)
    #expect(Activation(name: String(a.rawValue)) == a)
    #expect((1...11).contains(a.rawValue))
  }

  @Test func elevenActivationsAndControlSetExcludesSquare() {
    #expect(Activation.allCases.count == 11)
    #expect(Activation.originalControlSet.count == 10)
    #expect(!Activation.originalControlSet.contains(.squared))
  }
}
