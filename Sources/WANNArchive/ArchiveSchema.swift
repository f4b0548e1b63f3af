import WANNCore

/// Names and codes of the run archive's layout (documented in docs/hdf5-schema.md).
public enum ArchiveSchema {
  public static let format = "wann-archive"
  /// Bump when the layout changes incompatibly; readers refuse newer versions.
  public static let version: Int64 = 1

  static let generationsGroup = "generations"
  static let configGroup = "config"
  static let championGroup = "champion"
  static let runsGroup = "runs"
  /// Experiment archives keep their runs under /experiments, comparison archives under /runs.
  static let experimentsGroup = "experiments"
  static let comparisonGroup = "comparison"

  /// Generation groups are zero-padded so that name order is generation order.
  static func generationName(_ g: Int) -> String {
    let s = String(g)
    return String(repeating: "0", count: max(0, 6 - s.count)) + s
  }

  static let nodeKinds: [NodeKind] = [.bias, .input, .hidden, .output]
  static let origins: [Origin] = Origin.allCases

  static func code(_ k: NodeKind) -> Int8 { Int8(nodeKinds.firstIndex(of: k)!) }
  static func code(_ o: Origin) -> Int8 { Int8(origins.firstIndex(of: o)!) }

  /// "0=bias,1=input,..." legends stored as root attributes so files explain their codes.
  static var nodeKindLegend: String { nodeKinds.enumerated().map { "\($0.offset)=\($0.element.rawValue)" }.joined(separator: ",") }
  static var originLegend: String { origins.enumerated().map { "\($0.offset)=\($0.element.rawValue)" }.joined(separator: ",") }
}

/// What can go wrong with an archive, each naming the file and the fix.
public enum ArchiveError: Error, CustomStringConvertible {
  case exists(String)
  case notFound(String)
  case notHDF5(String)
  case foreign(String)
  case newerVersion(String, Int64)
  case unreadable(String, HDF5Error)
  case corrupt(String, String)
  case noGenomes(String, String)
  case notWritable(String, HDF5Error)

  public var description: String {
    switch self {
    case .exists(let p): "\(p) already exists: pass --force to overwrite it, or choose another --out"
    case .notFound(let p): "archive \(p) does not exist"
    case .notHDF5(let p): "\(p) is not an HDF5 file (or is truncated before its superblock)"
    case .foreign(let p): "\(p) is an HDF5 file but not a wann run archive (no format = \"\(ArchiveSchema.format)\" attribute)"
    case .newerVersion(let p, let v):
      "\(p) has archive format version \(v); this wann reads up to \(ArchiveSchema.version): update wann"
    case .unreadable(let p, let e): "cannot read archive \(p): \(e)"
    case .corrupt(let p, let why): "archive \(p) is damaged: \(why)"
    case .noGenomes(let p, let why): "\(p): \(why)"
    case .notWritable(let p, let e):
      "cannot open \(p) for writing analysis results (is a search or another wann command still writing it, or is the file read-only?): \(e)"
    }
  }
}
