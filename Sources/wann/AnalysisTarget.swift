import Foundation
import WANNArchive
import WANNCore
import WANNTasks

/// The network an analysis command works on, and where its results are stored: a genome of a
/// run archive (results go under its `analysis` group) or a genome file (results are printed
/// only).
struct AnalysisTarget {
  let reference: String
  let genome: Genome
  let task: TaskKind
  /// The archive holding the genome, opened for writing; nil for .out/.json genomes.
  let archive: ArchiveReader?
  let generation: Int
  let index: Int

  var name: String { archive == nil ? reference : "\(generation)/\(index)" }

  /// Resolves `FILE.h5#champion`, `FILE.h5#G/I`, `FILE.h5#RUN/...`, a .out or a .json genome.
  static func resolve(_ reference: String, task: TaskKind?, writable: Bool) throws -> AnalysisTarget {
    guard let (path, selector) = Inputs.archiveReference(reference) else {
      let (g, t) = try Inputs.genome(reference: reference, task: task)
      return AnalysisTarget(reference: reference, genome: g, task: t, archive: nil, generation: -1, index: -1)
    }
    let (reader, parts) = try open(path: path, selector: selector, writable: writable)
    if let task, task != reader.task {
      throw CLIError("\(path) holds a \(reader.task.rawValue) run, not \(task.rawValue): pass --task \(reader.task.rawValue) or leave --task out")
    }
    if parts == ["champion"] || parts.isEmpty {
      guard let c = try reader.champion() else {
        throw CLIError("\(path) has no champion yet (no complete generation): pick a genome with #GENERATION/INDEX")
      }
      return AnalysisTarget(reference: reference, genome: c.genome, task: reader.task, archive: reader, generation: c.generation, index: c.index)
    }
    guard parts.count == 2, let g = Int(parts[0]), let i = Int(parts[1]) else {
      throw CLIError("bad genome reference '#\(selector)': use FILE.h5#champion or FILE.h5#GENERATION/INDEX (e.g. run.h5#12/0), with RUN/ in front for a comparison or experiment archive")
    }
    return AnalysisTarget(reference: reference, genome: try reader.genome(generation: g, index: i), task: reader.task,
                          archive: reader, generation: g, index: i)
  }

  /// Opens the run a selector names (`RUN/...` first in a multi-run archive) and returns the
  /// rest of the selector.
  static func open(path: String, selector: String, writable: Bool) throws -> (ArchiveReader, [String]) {
    var parts = selector.split(separator: "/").map(String.init)
    var run: String?
    if let first = parts.first, first != "champion", Int(first) == nil {
      run = first
      parts.removeFirst()
    }
    return (try ArchiveReader(path: path, run: run, writable: writable), parts)
  }

  func network() throws -> Network {
    do { return try Network(genome) } catch { throw CLIError("\(reference): cannot evaluate the genome: \(error)") }
  }
}
