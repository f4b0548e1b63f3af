/// File paths as text: the folder part and the name part.
///
/// Why not `NSString.deletingLastPathComponent`: Foundation on Linux (Swift 6.3.1) traps on a
/// one-character path such as "v". These never trap, and need no file system.
public enum PathText {
  /// The folder part of `path` ("" for a bare file name, "/" for a file at the root).
  public static func folder(of path: String) -> String {
    var p = Substring(path)
    while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
    guard let slash = p.lastIndex(of: "/") else { return "" }
    return slash == p.startIndex ? "/" : String(p[..<slash])
  }

  /// The last component of `path` (its file name).
  public static func name(of path: String) -> String {
    var p = Substring(path)
    while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
    guard let slash = p.lastIndex(of: "/") else { return String(p) }
    return String(p[p.index(after: slash)...])
  }
}
