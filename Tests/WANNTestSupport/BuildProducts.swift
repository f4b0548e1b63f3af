import Foundation

/// Where the build put its products, found from the bundle that holds the tests: on macOS the
/// `*.xctest` bundle in the products folder, on Linux the products folder itself (the tests are an
/// executable there). Tests that run the `wann` binary find it beside them, on either system.
public enum BuildProducts {
  private final class Marker {}

  public static let folder: URL = {
    let bundle = Bundle(for: Marker.self).bundleURL.resolvingSymlinksInPath()
    return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
  }()

  /// The `wann` binary of this build.
  public static var wann: URL { folder.appendingPathComponent("wann") }
}
