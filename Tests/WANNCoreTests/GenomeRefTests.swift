import Testing
import WANNCore

@Suite struct GenomeRefTests {
  /// A genome's address orders by generation, then index, prints as the `#G/I` of a genome
  /// reference, and keys dictionaries by both numbers (never one of them alone).
  @Test func ordersPrintsAndKeysByBothNumbers() {
    let a = GenomeRef(generation: 3, index: 12), b = GenomeRef(generation: 12, index: 3)
    #expect(a < b && !(b < a) && a != b)
    #expect(GenomeRef(generation: 3, index: 2) < a)
    #expect("\(a)" == "3/12" && "\(b)" == "12/3")
    var stands: [GenomeRef: [Int]] = [:]
    stands[a, default: []].append(4)
    stands[b, default: []].append(5)
    stands[GenomeRef(generation: 3, index: 12), default: []].append(6)
    #expect(stands[a] == [4, 6] && stands[b] == [5])
    #expect([b, a].sorted() == [a, b])
  }
}
