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
  static var nodeKindLegend: String {
    nodeKinds.enumerated().map { "\($0.offset)=\($0.element.rawValue)" }.joined(separator: ",")
  }
  static var originLegend: String {
    origins.enumerated().map { "\($0.offset)=\($0.element.rawValue)" }.joined(separator: ",")
  }
  /// "1=linear,2=step,...": the activation ids of the original release.
  static var activationLegend: String { Activation.allCases.map { "\($0.rawValue)=\($0.name)" }.joined(separator: ",") }
}

/// What each dataset of a run says about itself (`DatasetDescription`; docs/hdf5-schema.md has
/// the same in prose). Axis names: `genome`, `node`, `connection` (rows of the tables),
/// `repetition` (a generation's episodes), `weights` (the shared weight values, a coordinate),
/// `retest_episode`.
extension ArchiveSchema {
  static let genomesTable = DatasetDescription(
    "one row per genome of the generation: origin, parent, mean and max reward over the shared weights, size, rank",
    axes: ["genome"], codes: [("origin", originLegend)])
  static let nodesTable = DatasetDescription(
    "every node of every genome (genome = row of genomes): id, kind and activation id",
    axes: ["node"], codes: [("kind", nodeKindLegend), ("activation", activationLegend)])
  static let connectionsTable = DatasetDescription(
    "every connection gene of every genome (genome = row of genomes): innovation, source and target node ids, enabled, recurrent (reads the previous step)",
    axes: ["connection"])
  static let speciesTable = DatasetDescription(
    "with speciation: one row per species of the generation: id, members, representative (its best-ranked genome, the one the next generation is compared with), best mean reward so far, generations since it rose, children it breeds (0: extinct)",
    axes: ["species_row"])
  static let genomeSpecies = DatasetDescription(
    "with speciation: the species id (species.id) of every genome", axes: ["genome"])
  static let generationRewards = DatasetDescription(
    "total reward (the task's) of every rollout: genome x repetition (episode) x shared weight",
    axes: ["genome", "repetition", "weights"])
  static let generationWeights = DatasetDescription(
    "the shared weight values every genome was scored at", axes: ["weights"])
  static let episodeStreams = DatasetDescription(
    "starting position of each repetition's random stream (every genome and weight of the generation plays the same episode)",
    axes: ["repetition"])
  static let championRetest = DatasetDescription(
    "rewards of the re-test of genome retest_index (the champion candidate): episode x shared weight",
    axes: ["retest_episode", "weights"])
  static let comparisonScores = DatasetDescription(
    "each run's final champion score on common episodes: condition (index in conditions), run (index in the condition), score",
    axes: ["scored_run"])
  static let comparisonTests = DatasetDescription(
    "Mann-Whitney U tests between conditions a and b: U, p, Holm-adjusted p, Cliff's delta, median difference and its 95% interval",
    axes: ["test"])
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
      case .choice, .task: v = .choice(try g.stringAttribute(n))
      case .flag: v = .flag(try g.attribute(n, as: Int8.self) != 0)
      case .numbers: v = .numbers(try g.attributeArray(n, as: Double.self))
      case .activations:
        v = .activations(
          g.hasAttribute(n)
            ? try g.attributeArray(n, as: Int64.self).map { id in
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

/// Runs `body`, turning an HDF5 failure into a read error that names the archive.
func readingArchive<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do { return try body() } catch let e as HDF5Error { throw ArchiveError.readFailed(archive: path, cause: e) }
}

/// Runs `body`, turning an HDF5 failure into a write error that names the archive.
func writingArchive<T>(_ path: String, _ body: () throws -> T) throws -> T {
  do { return try body() } catch let e as HDF5Error { throw ArchiveError.writeFailed(archive: path, cause: e) }
}

/// Runs a write into `file`. On failure the file is abandoned: HDF5 would otherwise retry the
/// failed flush when the file closes, writing parts of the unfinished work over the finished;
/// every later write is refused.
///
/// A new archive that fails before it holds anything finished (it still has its temporary name,
/// `H5File.createArchive`) is removed, and the error says nothing was kept: there is nothing to
/// resume.
func writingArchive<T>(_ path: String, file: H5File, _ body: () throws -> T) throws -> T {
  guard !file.isAbandoned else { throw ArchiveError.abandoned(archive: path) }
  do { return try body() } catch let e as HDF5Error {
    throw abandoning(file, path, e)
  } catch ArchiveError.writeFailed(_, let e) {
    // From a `ResultWriter` handed to a caller.
    throw abandoning(file, path, e)
  }
}

private func abandoning(_ file: H5File, _ path: String, _ e: HDF5Error) -> ArchiveError {
  let unfinished = file.pendingRename?.from
  file.abandon()
  guard let unfinished else { return .writeFailed(archive: path, cause: e) }
  unlink(unfinished)
  unlink(ArchiveJournal.path(of: unfinished))
  return .notCreated(archive: path, cause: e)
}
