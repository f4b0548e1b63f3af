/// The software version, reported by `wann --version` and stored in every run archive.
public enum WANNVersion {
  public static let string = "0.10.0"
}
