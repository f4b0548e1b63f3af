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

  /// Holm's step-down: the i-th smallest p times (m - i), made non-decreasing, capped at 1, in
  /// the input's order; NaN stays NaN and is not counted.
  @Test func holmAdjustsStepDown() {
    let q = Statistics.holm([0.01, 0.04, 0.03, 0.005])
    for (got, want) in zip(q, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(got - want) < 1e-12, "\(q)") }
    #expect(Statistics.holm([0.5, 0.6]) == [1, 1])
    let withNaN = Statistics.holm([0.01, .nan, 0.02])
    #expect(withNaN[1].isNaN && abs(withNaN[0] - 0.02) < 1e-12 && abs(withNaN[2] - 0.02) < 1e-12)
    #expect(Statistics.holm([]) == [])
  }

  @Test func cliffsDeltaCountsPairs() {
    #expect(abs(Statistics.cliffsDelta([1, 2, 3], [2, 2, 4]) - (-3.0 / 9)) < 1e-12)
    #expect(Statistics.cliffsDelta([5, 6], [1, 2]) == 1 && Statistics.cliffsDelta([1, 2], [5, 6]) == -1)
    #expect(Statistics.cliffsDelta([1, 2], [1, 2]) == 0)
    #expect(Statistics.cliffsDeltaMagnitude(0.1) == "negligible" && Statistics.cliffsDeltaMagnitude(-0.5) == "large")
  }

  /// The bootstrap interval holds the observed difference, is the same every time, and is a
  /// point when both samples are constant.
  @Test func medianDifferenceBootstrap() {
    let a: [Double] = [10, 12, 14, 30, 11], b: [Double] = [1, 3, 2, 8, 5]
    let d = Statistics.medianDifference(a, b)
    #expect(d.difference == 9 && d.low <= 9 && 9 <= d.high && d.low > 0)
    let again = Statistics.medianDifference(a, b)
    #expect(again.low == d.low && again.high == d.high)
    let flat = Statistics.medianDifference([4, 4, 4], [1, 1])
    #expect(flat.difference == 3 && flat.low == 3 && flat.high == 3)
  }
}
