import Foundation

/// Files of the checkout a binary was built in (`.venv`, `scripts/`, `reference/`), found by
/// walking up from the binary's folder and then from the working directory. Why: `wann` is run
/// from anywhere (a study folder, a cluster's scratch space), and the files it borrows from the
/// checkout must not depend on where the shell happens to stand.
public enum ProjectFiles {
  /// The first `relative` path that exists above the binary (up to six folders: `.build/release/wann`
  /// and `.build/x86_64-unknown-linux-gnu/release/wann` both reach the checkout) or above the
  /// working directory; `executable` asks for one that can be run.
  public static func locate(_ relative: String, executable: Bool = false) -> String? {
    let starts = [
      URL(fileURLWithPath: CommandLine.executablePath).deletingLastPathComponent(),
      URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
    ]
    for start in starts {
      var dir = start
      for _ in 0..<6 {
        let candidate = dir.appendingPathComponent(relative).path
        if access(candidate, executable ? X_OK : F_OK) == 0 { return candidate }
        dir.deleteLastPathComponent()
      }
    }
    return nil
  }
}

extension CommandLine {
  /// This executable's path, for finding the checkout it was built in.
  static var executablePath: String {
    Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
  }
}
