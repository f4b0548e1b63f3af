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

  /// The original release's getCrowdingDist: gaps to both neighbours summed, times |1/max - min|.
  @Test func originalCrowdingScalesByTheOriginalsExpression() {
    // Sorted 1, 2, 4, 7: interior sums 1 + 2 = 3 and 2 + 3 = 5; scale |1/7 - 1| = 6/7.
    let d = Ranking.crowding([4, 1, 7, 2], rule: .original)
    #expect(d[1] == .infinity && d[2] == .infinity)
    #expect(abs(d[3] - 3 * (6.0 / 7)) < 1e-12)
    #expect(abs(d[0] - 5 * (6.0 / 7)) < 1e-12)
    // The range rule gives (4 - 1)/6 and (7 - 2)/6: the same order here, other values.
    let r = Ranking.crowding([4, 1, 7, 2], rule: .range)
    #expect(abs(r[3] - 0.5) < 1e-12 && abs(r[0] - 5.0 / 6) < 1e-12)
    // A range of 0 leaves the sums unscaled; max = 0 makes the scale infinite (0 x inf = NaN
    // ranks last).
    #expect(Ranking.crowding([2, 2, 2], rule: .original) == [.infinity, 0, .infinity])
    let zeroTop = Ranking.crowding([-3, -1, 0, -2], rule: .original)
    #expect(zeroTop[2] == .infinity && zeroTop[0] == .infinity && zeroTop[1] == .infinity && zeroTop[3] == .infinity)
  }

  /// The two rules weigh the objectives differently: with mean rewards in [100, 600] the
  /// original's scale |1/600 - 100| (about 100) lets the reward gaps decide, where the range
  /// rule weighs both objectives alike.
  @Test func theTwoCrowdingRulesCanRankAFrontDifferently() {
    // One front (mean reward up, 1/connections down). Range rule: member 2 (1.59), member 3
    // (1.09), member 1 (0.92). Original: member 3 (480 x 100), member 2 (390 x 100), member 1.
    let first: [Double] = [100, 110, 120, 500, 600]
    let second: [Double] = [0.10, 0.09, 0.03, 0.025, 0.02]
    #expect(Ranking.fronts(first, second).count == 1)
    let byRange = Ranking.rank(first, second, crowding: .range).rank
    let byOriginal = Ranking.rank(first, second, crowding: .original).rank
    #expect(byRange[2] < byRange[3] && byRange[3] < byRange[1])
    #expect(byOriginal[3] < byOriginal[2] && byOriginal[2] < byOriginal[1])
  }
}
