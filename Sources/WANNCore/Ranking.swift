/// Non-dominated sorting with crowding distance on two objectives, both maximised
/// (Deb et al. 2002, NSGA-II), as the paper ranks WANNs.
///
/// Differences from the original release, on purpose (see docs/method.md): the crowding
/// distance is normalised by the objective's range `(max - min)` (the original multiplies by
/// `|1/max - min|`), and ties are broken by population index so a ranking is reproducible.
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
  public static func rank(_ first: [Double], _ second: [Double]) -> (rank: [Int], front: [Int]) {
    let fronts = fronts(first, second)
    var rank = [Int](repeating: 0, count: first.count)
    var front = [Int](repeating: 0, count: first.count)
    var next = 0
    for (f, members) in fronts.enumerated() {
      let c1 = crowding(members.map { first[$0] })
      let c2 = crowding(members.map { second[$0] })
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
