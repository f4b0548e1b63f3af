import Foundation
import WANNArchive
import WANNCore
import WANNExperiments
import WANNTasks

/// The network an analysis command works on, and where its results are stored: a genome of a
/// run archive (results go under its `analysis` group, through `AnalysisStore`) or a genome
/// file (results are printed only). Resolving reads the genome and closes the archive again.
struct AnalysisTarget {
  let reference: String
  let genome: Genome
  let task: TaskKind
  /// The archive holding the genome, and its run inside a multi-run archive; nil for .out/.json.
  let archivePath: String?
  let runName: String?
  let generation: Int
  let index: Int

  var name: String { archivePath == nil ? reference : "\(generation)/\(index)" }

  /// Resolves `FILE.h5#champion`, `FILE.h5#G/I`, `FILE.h5#RUN/...`, a .out or a .json genome.
  static func resolve(_ reference: String, task: TaskKind?) throws -> AnalysisTarget {
    guard let (path, selector) = Inputs.archiveReference(reference) else {
      let (g, t) = try Inputs.genome(reference: reference, task: task)
      return AnalysisTarget(
        reference: reference, genome: g, task: t, archivePath: nil, runName: nil, generation: -1, index: -1)
    }
    Inputs.lookForEnvironmentModules(beside: path)
    let (reader, parts) = try open(path: path, selector: selector)
    defer { try? reader.close() }
    if let task, task != reader.task {
      throw CLIError(
        "\(path) holds a \(reader.task.rawValue) run, not \(task.rawValue): pass --task \(reader.task.rawValue) or leave --task out"
      )
    }
    if parts == ["champion"] || parts.isEmpty {
      guard let c = try reader.champion() else {
        throw CLIError("\(path) has no champion yet (no complete generation): pick a genome with #GENERATION/INDEX")
      }
      return AnalysisTarget(
        reference: reference, genome: c.genome, task: reader.task, archivePath: path, runName: reader.runName,
        generation: c.generation, index: c.index)
    }
    guard parts.count == 2, let g = Int(parts[0]), let i = Int(parts[1]) else {
      throw CLIError(
        "bad genome reference '#\(selector)': use FILE.h5#champion or FILE.h5#GENERATION/INDEX (e.g. run.h5#12/0), with RUN/ in front for a comparison or experiment archive"
      )
    }
    return AnalysisTarget(
      reference: reference, genome: try reader.genome(generation: g, index: i), task: reader.task,
      archivePath: path, runName: reader.runName, generation: g, index: i)
  }

  /// Opens the run a selector names (`RUN/...` first in a multi-run archive) and returns the
  /// rest of the selector. The caller closes the reader.
  static func open(path: String, selector: String) throws -> (ArchiveReader, [String]) {
    let (run, parts) = split(selector)
    return (try ArchiveReader(path: path, run: run), parts)
  }

  /// A selector's run (its first part when that is neither `champion` nor a generation) and the
  /// rest of it.
  static func split(_ selector: String) -> (run: String?, rest: [String]) {
    let parts = selector.split(separator: "/").map(String.init)
    if let first = parts.first, first != "champion", Int(first) == nil { return (first, Array(parts.dropFirst())) }
    return (nil, parts)
  }

  /// Refuses at once (before any work) when another process is writing the archive that the
  /// results would be stored in.
  static func refuseIfBeingWritten(_ reference: String) throws {
    guard let (path, _) = Inputs.archiveReference(reference), let holder = ArchiveLock.isHeld(path) else { return }
    throw ArchiveError.locked(archive: path, holder: holder)
  }

  /// Opens the analysis store of the target's archive (nil for a genome file) and runs `body`
  /// with it, closing it after.
  func withStore<T>(_ body: (AnalysisStore?) throws -> T) throws -> T {
    guard let archivePath else { return try body(nil) }
    let store = try AnalysisStore(path: archivePath, run: runName)
    let result: T
    do { result = try body(store) } catch {
      try? store.close()
      throw error
    }
    try store.close()
    return result
  }

  func network() throws -> Network {
    do { return try Network(genome) } catch { throw CLIError("\(reference): cannot evaluate the genome: \(error)") }
  }
}

extension GenerationChoice {
  /// `--every N` or `--generations LIST` (a comma list), as `wann profile` and `wann battery`
  /// take them; nil when neither is given.
  static func parse(every: Int?, generations: String?) throws -> GenerationChoice? {
    if let every { return .every(every) }
    guard let generations else { return nil }
    return .generations(
      try generations.split(separator: ",").map { item in
        guard let g = Int(item.trimmingCharacters(in: .whitespaces)) else {
          throw CLIError(
            "bad --generations '\(generations)': expected a comma list of generation numbers, e.g. 0,64,128")
        }
        return g
      })
  }
}
