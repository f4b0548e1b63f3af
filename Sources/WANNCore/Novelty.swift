/// Novelty on the weight profile (issue 36, `ranking.noveltyProbability`): how far a genome's
/// mean reward at each shared weight lies from its nearest neighbours' in the same generation.
///
/// Why the profile and not the genes: species on a gene distance merged as networks grew
/// (docs/results.md, "Species at the paper's budget"), and genes say little about what a
/// weight-agnostic network does. Its rewards at each weight say exactly that, so a network that
/// succeeds at weights where its neighbours fail, or fails differently, ranks above a copy of
/// the crowd. The score needs nothing but the generation's reward matrix, so a resumed run
/// recomputes it exactly from the archive.
public enum Novelty {
  /// For each profile, the mean Euclidean distance to its `neighbours` nearest other profiles
  /// (to all others when there are fewer; 0 for a lone profile). A distance involving a
  /// non-finite reward counts as 0: a broken rollout earns no novelty. Each genome's distances are
  /// sorted before the nearest are summed, so the result does not depend on the profiles' order
  /// beyond their own index.
  public static func scores(_ profiles: [[Double]], neighbours: Int) -> [Double] {
    precondition(neighbours >= 1, "novelty needs at least one neighbour")
    let n = profiles.count
    guard n > 1 else { return [Double](repeating: 0, count: n) }
    var distance = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in (i + 1)..<n {
        let d = euclidean(profiles[i], profiles[j])
        distance[i * n + j] = d
        distance[j * n + i] = d
      }
    }
    let k = min(neighbours, n - 1)
    var row = [Double](repeating: 0, count: n - 1)
    return (0..<n).map { i in
      var m = 0
      for j in 0..<n where j != i {
        row[m] = distance[i * n + j]
        m += 1
      }
      row.sort()
      return row.prefix(k).reduce(0, +) / Double(k)
    }
  }

  static func euclidean(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "profiles of \(a.count) and \(b.count) weights")
    var sum = 0.0
    for (x, y) in zip(a, b) {
      let d = x - y
      sum += d * d
    }
    return sum.isFinite ? sum.squareRoot() : 0
  }
}
