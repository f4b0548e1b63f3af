import Testing
@testable import WANNCore

@Suite struct StatisticsTests {
  @Test func mannWhitneyExactMatchesKnownValues() {
    // Complete separation of two samples of 5: U = 0, p = 2 / C(10, 5) = 2/252.
    let (u, p) = Statistics.mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    #expect(u == 0)
    #expect(abs(p - 2.0 / 252) < 1e-12)
    let (u2, p2) = Statistics.mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])
    #expect(u2 == 25 && abs(p2 - 2.0 / 252) < 1e-12)
    // Interleaved samples: no evidence of a difference.
    let (_, p3) = Statistics.mannWhitneyU([1, 3, 5, 7, 9], [2, 4, 6, 8, 10])
    #expect(p3 > 0.5)
    // Values from scipy.stats.mannwhitneyu(..., method="exact"):
    let (u4, p4) = Statistics.mannWhitneyU([1, 4, 9], [2, 3, 5, 6])  // U = 6, p = 1
    #expect(u4 == 6 && p4 == 1)
    let (u5, p5) = Statistics.mannWhitneyU([1, 2, 4, 5, 8], [3, 6, 7, 9, 10])  // U = 5, p = 0.15079365...
    #expect(u5 == 5 && abs(p5 - 0.15079365079365079) < 1e-12)
  }

  @Test func mannWhitneyWithTiesUsesTheNormalApproximation() {
    // scipy.stats.mannwhitneyu(..., method="asymptotic"): U = 3, p = 0.05241162867102868.
    let (u, p) = Statistics.mannWhitneyU([1, 1, 2, 2, 3], [2, 3, 3, 4, 4])
    #expect(u == 3)
    #expect(abs(p - 0.05241162867102868) < 1e-9)
  }

  @Test func confidenceIntervalUsesStudentT() {
    let (m, h) = Statistics.confidenceInterval95([1, 2, 3, 4, 5])
    #expect(m == 3)
    #expect(abs(h - 2.776 * Statistics.standardDeviation([1, 2, 3, 4, 5]) / 5.0.squareRoot()) < 1e-12)
    #expect(Statistics.tCritical95(df: 1) == 12.706 && abs(Statistics.tCritical95(df: 120) - 1.98) < 0.003)
  }
}
