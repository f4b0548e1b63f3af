import Foundation

/// A node's activation function. Raw values are the ids of the original WANN release (1...11),
/// so genomes imported from its `.out` files and ids stored in archives mean the same thing.
public enum Activation: Int32, CaseIterable, Sendable, Codable, CustomStringConvertible {
  case linear = 1, step, sine, gaussian, tanh, sigmoid, inverse, absolute, relu, cosine, squared

  /// The short name used in configs, drawings and JSON.
  public var name: String {
    switch self {
    case .linear: "linear"
    case .step: "step"
    case .sine: "sin"
    case .gaussian: "gaussian"
    case .tanh: "tanh"
    case .sigmoid: "sigmoid"
    case .inverse: "inverse"
    case .absolute: "abs"
    case .relu: "relu"
    case .cosine: "cos"
    case .squared: "square"
    }
  }

  public var description: String { name }

  /// Parses a name (`"tanh"`) or an id (`"5"`).
  public init?(name: String) {
    if let id = Int32(name), let a = Activation(rawValue: id) { self = a; return }
    guard let a = Activation.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
    self = a
  }

  /// Applies the function. The formulas follow the original release (sigmoid is
  /// `(tanh(x/2) + 1) / 2`, "inverse" is negation, not 1/x); the transcendental ones are the
  /// `LaneMath` kernels (a few ulp from the C library), evaluated in every lane, so a scalar
  /// call returns the same bits as a lane of a vector call.
  @inline(__always)
  public func callAsFunction(_ x: Double) -> Double {
    self(Lanes(repeating: x))[0]
  }

  /// The hidden-node set of the original swing-up and walker tasks: every id but `squared`.
  public static let originalControlSet: [Activation] = [
    .linear, .step, .sine, .gaussian, .tanh, .sigmoid, .inverse, .absolute, .relu, .cosine,
  ]
}
