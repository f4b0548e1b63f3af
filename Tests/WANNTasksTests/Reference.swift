import Foundation

/// Locates ../shared/reference beside the repository (override with WANN_REFERENCE_DIR).
enum Reference {
  static var directory: URL {
    if let d = ProcessInfo.processInfo.environment["WANN_REFERENCE_DIR"] { return URL(fileURLWithPath: d) }
    return URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("shared/reference")
  }

  static func text(_ name: String) throws -> String {
    try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }
}
