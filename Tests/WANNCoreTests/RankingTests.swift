import Testing
@testable import WANNCore

@Suite struct RankingTests {
  /// Points on three known fronts (maximising both objectives):
  /// front 0: (10,1) (5,5) (1,10); front 1: (4,4) (9,0.5); front 2: (3,3) (0,0)... (0,0) is last.
  static let a: [Double] = [10, 4, 5, 3, 1, 9, 0]
  static let b: [Double] = [1, 4, 5, 3, 10, 0.5, 0]

  @Test func frontsMatchHandComputation() {
    let fronts = Ranking.fronts(Self.a, Self.b)
    #expect(fronts == [[0, 2, 4], [1, 5], [3], [6]])
  }

  @Test func rankOrdersFrontsThenCrowding() {
    let (rank, front) = Ranking.rank(Self.a, Self.b)
    #expect(front == [0, 1, 0, 2, 0, 1, 3])
    #expect(Set(rank) == Set(0..<7))
    // Front 0 holds ranks 0...2; its middle member (5,5) has finite crowding, so it ranks last there.
    #expect(rank[2] == 2)
    #expect(Set([rank[0], rank[4]]) == [0, 1])
    #expect(rank[3] == 5 && rank[6] == 6)
  }

  @Test func crowdingIsNormalisedByRange() {
    // Sorted values 0, 1, 4, 10: interior gaps (4-0)/10 and (10-1)/10.
    let d = Ranking.crowding([4, 0, 10, 1])
    #expect(d[1] == .infinity && d[2] == .infinity)
    #expect(abs(d[3] - 0.4) < 1e-12)
    #expect(abs(d[0] - 0.9) < 1e-12)
    #expect(Ranking.crowding([2, 2, 2]) == [.infinity, 0, .infinity])
  }

  @Test func equalPointsShareAFrontAndNaNIsWorst() {
    let fronts = Ranking.fronts([1, 1, .nan], [2, 2, 5])
    #expect(fronts == [[0, 1, 2]])  // (-inf, 5) is not dominated by (1, 2)
    let (rank, _) = Ranking.rank([1, .nan], [1, 1])
    #expect(rank == [0, 1])
  }
}
