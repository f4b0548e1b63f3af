/// Non-dominated sorting with crowding distance on two objectives, both maximised
/// (Deb et al. 2002, NSGA-II), as the paper ranks WANNs.
///
/// Differences from the original release, on purpose (see docs/method.md): by default the
/// crowding distance is normalised by the objective's range `(max - min)` (the original
/// multiplies by `|1/max - min|`; `CrowdingRule.original` restores that), and ties are broken
/// by population index so a ranking is reproducible.
/// NaN objectives count as minus infinity.
public enum Ranking {
  /// Fronts of indices: front 0 is non-dominated, front 1 is non-dominated once front 0 is
  /// removed, and so on. Each front lists indices in ascending order.
  public static func fronts(_ first: [Double], _ second: [Double]) -> [[Int]] {
    precondition(first.count == second.count, "objective vectors differ in length")
    let a = first.map(sanitized), b = second.map(sanitized)
    let n = a.count
    var dominates = [[Int]](repeating: [], count: n)
    var dominatedBy = [Int](repeating: 0, count: n)
    for p in 0..<n {
      for q in 0..<n where p != q {
        if a[p] >= a[q] && b[p] >= b[q] && (a[p] > a[q] || b[p] > b[q]) {
          dominates[p].append(q)
        } else if a[q] >= a[p] && b[q] >= b[p] && (a[q] > a[p] || b[q] > b[p]) {
          dominatedBy[p] += 1
        }
      }
    }
    var fronts: [[Int]] = []
    var current = (0..<n).filter { dominatedBy[$0] == 0 }
    while !current.isEmpty {
      fronts.append(current)
      var next: [Int] = []
      for p in current {
        for q in dominates[p] {
          dominatedBy[q] -= 1
          if dominatedBy[q] == 0 { next.append(q) }
        }
      }
      current = next.sorted()
    }
    return fronts
  }

  /// Crowding distance of each member of one front along one objective, scaled by `rule`.
  public static func crowding(_ values: [Double], rule: CrowdingRule) -> [Double] {
    switch rule {
    case .range: crowding(values)
    case .original: originalCrowding(values)
    }
  }

  /// The original release's crowding distance (`getCrowdingDist` in its nsga_sort.py): sorted by
  /// value (ties by index), each member's distance to its lower neighbour plus its distance to
  /// its upper one (infinite at both ends), all multiplied by |1/max - min| when max - min > 0.
  /// A distance of NaN (0 times an infinite scale when max is 0) ranks last, as NumPy's argsort
  /// puts NaN last.
  public static func originalCrowding(_ values: [Double]) -> [Double] {
    let v = values.map(sanitized)
    let n = v.count
    let order = (0..<n).sorted { v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1 }
    let sorted = order.map { v[$0] }
    var crowd = [Double](repeating: 0, count: n)
    for k in 0..<n {
      let previous = k == 0 ? Double.infinity : (sorted[k] - sorted[k - 1]).magnitude
      let next = k == n - 1 ? Double.infinity : (sorted[k] - sorted[k + 1]).magnitude
      crowd[k] = previous + next
    }
    if n > 0, sorted[n - 1] - sorted[0] > 0 {
      let scale = (1 / sorted[n - 1] - sorted[0]).magnitude
      for k in 0..<n { crowd[k] *= scale }
    }
    var dist = [Double](repeating: 0, count: n)
    for (k, i) in order.enumerated() { dist[i] = crowd[k].isNaN ? -.infinity : crowd[k] }
    return dist
  }

  /// Crowding distance of each member of one front along one objective: infinite at both ends,
  /// else the gap between its neighbours divided by the front's range (0 if the range is 0).
  public static func crowding(_ values: [Double]) -> [Double] {
    let v = values.map(sanitized)
    let n = v.count
    var dist = [Double](repeating: 0, count: n)
    guard n > 2 else { return [Double](repeating: .infinity, count: n) }
    let order = (0..<n).sorted { v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1 }
    dist[order[0]] = .infinity
    dist[order[n - 1]] = .infinity
    let range = v[order[n - 1]] - v[order[0]]
    for k in 1..<(n - 1) {
      let gap = v[order[k + 1]] - v[order[k - 1]]
      dist[order[k]] = range > 0 && range.isFinite ? gap / range : 0
    }
    return dist
  }

  /// Rank of every individual (0 = best) and its front number. Within a front, larger summed
  /// crowding distance ranks first; ties go to the lower index.
  public static func rank(_ first: [Double], _ second: [Double], crowding rule: CrowdingRule = .range) -> (
    rank: [Int], front: [Int]
  ) {
    let fronts = fronts(first, second)
    var rank = [Int](repeating: 0, count: first.count)
    var front = [Int](repeating: 0, count: first.count)
    var next = 0
    for (f, members) in fronts.enumerated() {
      let c1 = crowding(members.map { first[$0] }, rule: rule)
      let c2 = crowding(members.map { second[$0] }, rule: rule)
      let order = members.indices.sorted { i, j in
        let di = c1[i] + c2[i], dj = c1[j] + c2[j]
        return di != dj ? di > dj : members[i] < members[j]
      }
      for i in order {
        rank[members[i]] = next
        front[members[i]] = f
        next += 1
      }
    }
    return (rank, front)
  }

  @inline(__always)
  static func sanitized(_ x: Double) -> Double { x.isNaN ? -.infinity : x }
}
