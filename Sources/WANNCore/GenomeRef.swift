/// Where a genome lives in a run: its generation and its index in that generation (what
/// `FILE.h5#GENERATION/INDEX` names, and `/analysis/GGGGGG-I` stores results under). A named type
/// rather than an `(Int, Int)`, so the two numbers cannot be swapped or mistaken for others.
public struct GenomeRef: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let generation: Int
  public let index: Int

  public init(generation: Int, index: Int) {
    self.generation = generation
    self.index = index
  }

  /// "GENERATION/INDEX", as genome references write it after `#`.
  public var description: String { "\(generation)/\(index)" }

  /// Generation order, then index order.
  public static func < (a: GenomeRef, b: GenomeRef) -> Bool {
    (a.generation, a.index) < (b.generation, b.index)
  }
}
