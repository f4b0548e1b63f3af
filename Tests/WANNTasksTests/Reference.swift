import Foundation

/// Locates the repository's reference data: `reference/` (the original release's champions, its
/// example run's log, its five swing-up episodes) and `Tests/Fixtures/` (data made by our scripts
/// from the original's semantics). WANN_REFERENCE_DIR points the first elsewhere.
enum Reference {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static var directory: URL {
    if let d = ProcessInfo.processInfo.environment["WANN_REFERENCE_DIR"] { return URL(fileURLWithPath: d) }
    return repositoryRoot.appendingPathComponent("reference")
  }

  static var fixtures: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures") }

  static func text(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }
}
