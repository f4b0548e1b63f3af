import Foundation

extension Statistics {
  /// Two-sided 95% critical value of Student's t with `df` degrees of freedom (table to 30,
  /// then 1.96 + 2.4/df, within 0.003 of the exact value).
  public static func tCritical95(df: Int) -> Double {
    let table: [Double] = [
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
      2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]
    guard df >= 1 else { return .nan }
    return df <= table.count ? table[df - 1] : 1.96 + 2.4 / Double(df)
  }

  /// Mean and half-width of its 95% confidence interval (t distribution; NaN width for n < 2).
  public static func confidenceInterval95(_ x: [Double]) -> (mean: Double, halfWidth: Double) {
    let m = mean(x)
    guard x.count > 1 else { return (m, .nan) }
    return (m, tCritical95(df: x.count - 1) * standardDeviation(x) / Double(x.count).squareRoot())
  }

  /// Mann-Whitney U test of `a` against `b`, two-sided. Returns U for `a` (the number of pairs
  /// in which a's value is larger, ties counting one half) and the p-value: exact (by counting
  /// arrangements) when there are no ties and both samples have at most 20 values, otherwise
  /// the normal approximation with tie and continuity corrections.
  public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> (u: Double, p: Double) {
    let n1 = a.count, n2 = b.count
    guard n1 > 0, n2 > 0 else { return (.nan, .nan) }
    let all = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
    var ranks = [Double](repeating: 0, count: all.count)
    var tieTerm = 0.0
    var i = 0
    while i < all.count {
      var j = i
      while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
      let avg = Double(i + j + 2) / 2
      for k in i...j { ranks[k] = avg }
      let t = Double(j - i + 1)
      tieTerm += t * t * t - t
      i = j + 1
    }
    var r1 = 0.0
    for (k, item) in all.enumerated() where item.1 == 0 { r1 += ranks[k] }
    let u = r1 - Double(n1 * (n1 + 1)) / 2
    if tieTerm == 0 && n1 <= 20 && n2 <= 20 {
      // counts[u] = number of orderings giving U = u, by the recurrence on the largest value.
      let total = n1 * n2
      var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n2 + 1), count: n1 + 1)
      for x in 0...n1 {
        for y in 0...n2 {
          if x == 0 || y == 0 {
            var row = [Double](repeating: 0, count: x * y + 1)
            row[0] = 1
            table[x][y] = row
            continue
          }
          var row = [Double](repeating: 0, count: x * y + 1)
          for v in 0...(x * y) {
            let fromA = v - y >= 0 && v - y <= (x - 1) * y ? table[x - 1][y][v - y] : 0
            let fromB = v <= x * (y - 1) ? table[x][y - 1][v] : 0
            row[v] = fromA + fromB
          }
          table[x][y] = row
        }
      }
      let counts = table[n1][n2]
      let all = counts.reduce(0, +)
      let k = Int(u.rounded())
      let lower = counts[0...k].reduce(0, +) / all
      let upper = counts[k...total].reduce(0, +) / all
      return (u, min(1, 2 * min(lower, upper)))
    }
    let n = Double(n1 + n2)
    let mu = Double(n1 * n2) / 2
    let sigma = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
    guard sigma > 0 else { return (u, 1) }
    let z = (abs(u - mu) - 0.5) / sigma
    return (u, min(1, erfc(max(z, 0) / 2.0.squareRoot())))
  }
}

extension Statistics {
  /// Holm's step-down adjustment of `p` for the family of all its tests (Holm 1979): sorted
  /// ascending, the i-th smallest (0-based) is multiplied by (m - i), made non-decreasing and
  /// capped at 1; returned in the input's order. Controls the family-wise error rate without
  /// assuming independence, and never rejects less than Bonferroni. NaN values (tests that
  /// could not be made) stay NaN and do not count towards m.
  public static func holm(_ p: [Double]) -> [Double] {
    let order = p.indices.filter { !p[$0].isNaN }.sorted { p[$0] != p[$1] ? p[$0] < p[$1] : $0 < $1 }
    var adjusted = p
    var running = 0.0
    for (rank, i) in order.enumerated() {
      running = max(running, min(1, Double(order.count - rank) * p[i]))
      adjusted[i] = running
    }
    return adjusted
  }

  /// Cliff's delta of `a` against `b`: P(a > b) - P(a < b) over all pairs, in [-1, 1]. A rank
  /// effect size to read beside the Mann-Whitney p: |delta| < 0.147 negligible, < 0.33 small,
  /// < 0.474 medium, else large (Romano et al. 2006).
  public static func cliffsDelta(_ a: [Double], _ b: [Double]) -> Double {
    guard !a.isEmpty, !b.isEmpty else { return .nan }
    var balance = 0
    for x in a {
      for y in b { balance += x > y ? 1 : (x < y ? -1 : 0) }
    }
    return Double(balance) / Double(a.count * b.count)
  }

  /// Romano et al.'s words for a Cliff's delta.
  public static func cliffsDeltaMagnitude(_ d: Double) -> String {
    guard !d.isNaN else { return "-" }
    switch abs(d) {
    case ..<0.147: return "negligible"
    case ..<0.33: return "small"
    case ..<0.474: return "medium"
    default: return "large"
    }
  }

  /// The difference of medians, median(a) - median(b), with a 95% percentile-bootstrap
  /// interval: `resamples` draws of each sample with replacement. The draws come from a fixed
  /// stream (seed 0, purpose `.evaluation`, genome = `stream`), so a report is the same every
  /// time it is made.
  public static func medianDifference(_ a: [Double], _ b: [Double], resamples: Int = 10_000, stream: Int = 0)
    -> (difference: Double, low: Double, high: Double)
  {
    guard !a.isEmpty, !b.isEmpty else { return (.nan, .nan, .nan) }
    let observed = median(a) - median(b)
    var random = RandomStream(seed: 0, purpose: .evaluation, generation: 1, genome: stream)
    var diffs = [Double](repeating: 0, count: resamples)
    var ra = a, rb = b
    for r in 0..<resamples {
      for i in ra.indices { ra[i] = a[random.uniformInt(below: a.count)] }
      for i in rb.indices { rb[i] = b[random.uniformInt(below: b.count)] }
      diffs[r] = median(ra) - median(rb)
    }
    diffs.sort()
    let lo = diffs[Int((Double(resamples) * 0.025).rounded(.down))]
    let hi = diffs[min(resamples - 1, Int((Double(resamples) * 0.975).rounded(.down)))]
    return (observed, lo, hi)
  }
}
