/// "Did you mean ...?": the known name a mistyped one most likely meant. Pure, so that the CLI,
/// the archive reader and the tests share one rule.
public enum Suggestion {
  /// The candidate closest to `typed`: one that `typed` is a prefix of (the shortest such), else
  /// the one fewest single-character edits away (insert, delete, replace, swap two neighbours),
  /// if that is at most a third of the longer name (and at least 1, at most 3). Case is ignored.
  /// Nil when nothing is close: better no suggestion than a wrong one.
  public static func closest(to typed: String, among candidates: [String]) -> String? {
    let t = typed.lowercased()
    guard !t.isEmpty else { return nil }
    if let exact = candidates.first(where: { $0.lowercased() == t }) { return exact }
    if let prefixed = candidates.filter({ $0.lowercased().hasPrefix(t) }).min(by: { $0.count < $1.count }) {
      return prefixed
    }
    var best: (name: String, distance: Int)?
    for c in candidates {
      let d = editDistance(t, c.lowercased())
      let allowed = min(3, max(1, max(t.count, c.count) / 3))
      if d <= allowed, d < (best?.distance ?? .max) { best = (c, d) }
    }
    return best?.name
  }

  /// Optimal string alignment distance (Levenshtein plus the swap of two neighbouring characters).
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[x.count][y.count]
  }

  /// ": did you mean 'NAME'?" or "".
  public static func phrase(for typed: String, among candidates: [String]) -> String {
    closest(to: typed, among: candidates).map { ": did you mean '\($0)'?" } ?? ""
  }
}
