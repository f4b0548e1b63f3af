import Foundation
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
  /// A run's test battery (experiment archives).
  static let evaluationGroup = "evaluation"
  /// Analysis results under the genome they belong to: analysis/GGGGGG-I/KIND/N.
  static let analysisGroup = "analysis"

  /// Name of a genome's analysis group.
  public static func analysisName(generation: Int, index: Int) -> String {
    String(format: "%06d-%d", generation, index)
  }

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

extension ArchiveSchema {
  /// The config as one attribute per schema key (`SearchConfig.schema`): integers as int64, the
  /// seed as uint64, numbers as float64, choices as strings, flags as int8, lists as arrays; an
  /// unset optional key is left out.
  static func writeConfigAttributes(_ c: SearchConfig, to g: H5Location) throws {
    for key in SearchConfig.schema {
      switch key.value(c) {
      case .integer(let x): try g.setAttribute(key.name, Int64(x))
      case .unsigned(let x): try g.setAttribute(key.name, x)
      case .number(let x): try g.setAttribute(key.name, x)
      case .choice(let s): try g.setAttribute(key.name, s)
      case .flag(let b): try g.setAttribute(key.name, Int8(b ? 1 : 0))
      case .numbers(let xs): try g.setAttribute(key.name, array: xs)
      case .activations(let a): if let a { try g.setAttribute(key.name, array: a.map { Int64($0.rawValue) }) }
      }
    }
  }

  /// Reads the config back from its attributes (the inverse of `writeConfigAttributes`).
  static func readConfigAttributes(_ g: H5Location) throws -> SearchConfig {
    var c = SearchConfig()
    for key in SearchConfig.schema {
      let n = key.name
      // An archive older than the key ran with the value from before the key existed.
      if !g.hasAttribute(n), let before = SearchConfig.valuesBeforeKeyExisted[n] {
        do { try key.set(before, in: &c) } catch { throw HDF5Error(operation: "\(g.path)@\(n): \(error)", stack: []) }
        continue
      }
      let v: ConfigValue
      switch key.kind {
      case .integer: v = .integer(Int(try g.attribute(n, as: Int64.self)))
      case .unsigned: v = .unsigned(try g.attribute(n, as: UInt64.self))
      case .number: v = .number(try g.attribute(n, as: Double.self))
      case .choice: v = .choice(try g.stringAttribute(n))
      case .flag: v = .flag(try g.attribute(n, as: Int8.self) != 0)
      case .numbers: v = .numbers(try g.attributeArray(n, as: Double.self))
      case .activations:
        v = .activations(g.hasAttribute(n) ? try g.attributeArray(n, as: Int64.self).map { id in
          guard let a = Int32(exactly: id).flatMap(Activation.init(rawValue:)) else {
            throw HDF5Error(operation: "\(g.path)@\(n) holds unknown activation id \(id)", stack: [])
          }
          return a
        } : nil)
      }
      do { try key.set(v, in: &c) } catch { throw HDF5Error(operation: "\(g.path)@\(n): \(error)", stack: []) }
    }
    return c
  }
}

/// What an archive file holds (its root `kind` attribute).
public enum ArchiveKind: String, Sendable, CaseIterable {
  /// One search (`wann search`).
  case run
  /// Search spaces x seeds (`wann compare`), runs under /runs.
  case comparison
  /// An experiment grid, variants x seeds (`wann experiment run`), runs under /experiments.
  case experiment
}

/// What can go wrong with an archive, each naming the file and the fix.
public enum ArchiveError: Error, CustomStringConvertible {
  case exists(String)
  case isDirectory(String)
  /// The archive's folder does not exist (archive, folder).
  case noDirectory(String, String)
  /// Another process holds the archive's writer lock (archive, holder).
  case locked(String, String)
  case lockFailed(String, String)
  /// HDF5's own lock (forced on by HDF5_USE_FILE_LOCKING=TRUE) keeps readers out (archive, holder).
  case lockedForReading(String, String)
  case notFound(String)
  case notHDF5(String)
  case foreign(String)
  case newerVersion(String, Int64)
  /// Reading failed (a damaged file, a dataset that does not decompress).
  case readFailed(String, HDF5Error)
  /// Writing failed (a full disk, a quota, an I/O error): what was flushed before stays readable.
  case writeFailed(String, HDF5Error)
  /// A write was attempted after an earlier one failed.
  case abandoned(String)
  case corrupt(String, String)
  case noGenomes(String, String)
  case notWritable(String, HDF5Error)
  /// A writer was killed in the middle of a flush and its journal cannot be rolled back here.
  case rollBackFailed(String, String)

  public var description: String {
    switch self {
    case .exists(let p): "\(p) already exists: pass --force to overwrite it, or choose another --out"
    case .isDirectory(let p): "\(p) is a directory: give an archive file name (--force never replaces a directory)"
    case .noDirectory(let p, let d): "cannot create \(p): the folder \(d) does not exist (create it first: mkdir -p \(d))"
    case .locked(let p, let holder):
      "\(p) is being written by \(holder): wait for it to finish, or stop it first (two writers would destroy the archive)"
    case .lockFailed(let p, let why): "cannot take the writer lock \(p).lock: \(why)"
    case .lockedForReading(let p, let holder):
      "\(p) is being written by \(holder), and HDF5_USE_FILE_LOCKING=TRUE keeps readers out meanwhile: unset it (or set it to FALSE) to read a running archive, or wait"
    case .notFound(let p): "archive \(p) does not exist"
    case .notHDF5(let p): "\(p) is not an HDF5 file (or is truncated before its superblock)"
    case .foreign(let p): "\(p) is an HDF5 file but not a wann run archive (no format = \"\(ArchiveSchema.format)\" attribute)"
    case .newerVersion(let p, let v):
      "\(p) has archive format version \(v); this wann reads up to \(ArchiveSchema.version): update wann"
    case .readFailed(let p, let e): "cannot read archive \(p): \(e)"
    case .writeFailed(let p, let e):
      "cannot write to archive \(p) (is the disk full, or over quota?): \(e). Everything written before stays readable; free space, then run the command again (a search continues with `wann resume \(p)`)"
    case .abandoned(let p): "archive \(p) is no longer written to after a failed write; free space, then run the command again"
    case .corrupt(let p, let why): "archive \(p) is damaged: \(why)"
    case .noGenomes(let p, let why): "\(p): \(why)"
    case .rollBackFailed(let p, let why):
      "\(p) was cut short in the middle of a write, and its journal \(p).journal cannot be rolled back (\(why)): run any wann command on it as a user who may write the file and its folder (until then it may not read)"
    case .notWritable(let p, let e):
      "cannot open \(p) for writing (is the file read-only, or damaged? `wann inspect --check \(p)` lists damaged data): \(e)"
    }
  }
}

/// Runs `body`, turning an HDF5 failure into a read error that names the archive.
func readingArchive<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do { return try body() } catch let e as HDF5Error { throw ArchiveError.readFailed(path, e) }
}

/// Runs `body`, turning an HDF5 failure into a write error that names the archive.
func writingArchive<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do { return try body() } catch let e as HDF5Error { throw ArchiveError.writeFailed(path, e) }
}

/// Runs a write into `file`. On failure the file is abandoned: HDF5 would otherwise retry the
/// failed flush when the file closes, writing parts of the unfinished work over the finished;
/// every later write is refused.
func writingArchive<T>(_ path: String, file: H5File, _ body: () throws -> T) throws -> T {
  guard !file.isAbandoned else { throw ArchiveError.abandoned(path) }
  do { return try body() } catch let e as HDF5Error {
    file.abandon()
    throw ArchiveError.writeFailed(path, e)
  } catch ArchiveError.writeFailed(let p, let e) {
    // From a `ResultWriter` handed to a caller.
    file.abandon()
    throw ArchiveError.writeFailed(p, e)
  }
}
