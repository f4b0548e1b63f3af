import Testing

@testable import WANNCore

@Suite struct NodeIndexTests {
  static func nodes(_ ids: [Int32]) -> [NodeGene] {
    ids.map { NodeGene(id: NodeID($0), kind: .hidden, activation: .tanh) }
  }

  /// Whatever order the ids come in, `index[id]` is the id's position (the last one where an id
  /// repeats, as the dictionary it replaced gave), and nil for an id the genome lacks.
  @Test(arguments: [
    [Int32](0..<12), [0, 1, 2, 3, 40, 41, 97, 1000], [5, 6, 7], [3, 1, 2, 0, 9], [0, 1, 7, 7, 2], [-4, -1, 0, 2],
  ])
  func indexFindsEveryIdWhereTheDictionaryDid(_ ids: [Int32]) {
    let index = NodeIndex(Self.nodes(ids))
    var expected: [Int32: Int] = [:]
    for (i, id) in ids.enumerated() { expected[id] = i }
    for probe in Int32(-6)...1001 {
      #expect(index[NodeID(probe)] == expected[probe], "id \(probe) in \(ids)")
    }
  }

  @Test func sortedPositionFindsTheFirstOccurrenceOrNil() {
    let sorted: [Int64] = [-3, 0, 0, 4, 9, 9, 9, 12]
    for v in Int64(-5)...14 {
      #expect(sortedPosition(of: v, in: sorted) == sorted.firstIndex(of: v), "\(v)")
    }
    #expect(sortedPosition(of: 1, in: [Int]()) == nil)
  }
}
