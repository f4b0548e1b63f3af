import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNDistributed
import WANNTasks

struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract: "Continue a stopped or killed search from its run archive.",
    discussion: """
      Reads the archive's config and its last complete generation, drops a generation that was \
      cut short, and continues exactly as if the run had never stopped: the result is bit for \
      bit what an uninterrupted run gives.
      """)

  @Argument(help: "The run archive written by `wann search --out`.")
  var archive: String

  @Option(help: "Total generations to reach (default: the run's configured generations).")
  var generations: Int?

  @OptionGroup var running: RunningOptions

  func validate() throws {
    if let generations, generations < 0 { throw ValidationError("--generations must be 0 or more") }
  }

  func run() throws {
    let threads = running.threadCount
    // Read everything first and let the reader close the file before it is reopened for writing.
    let restored = try { () throws -> (run: SearchRun, config: SearchConfig, lastComplete: Int?, dropped: [Int], finished: Bool) in
      let reader = try ArchiveReader(path: archive)
      var config = reader.config
      if let generations { config.generations = generations }
      let run = try reader.restoreSearch(config: config, threads: threads)
      return (run, config, reader.completeGenerations.last, reader.incompleteGenerations, reader.rootString("end_time") != nil)
    }()
    var run = restored.run
    let config = restored.config, lastComplete = restored.lastComplete, dropped = restored.dropped
    let done = (lastComplete ?? -1) + 1
    if done >= config.generations && dropped.isEmpty && restored.finished {
      // Nothing to do: leave the file untouched.
      Output.err("\(archive) already holds \(done) generations (target \(config.generations)); pass --generations N to go further")
      return
    }
    let writer = try ArchiveWriter(appendingTo: archive, lastComplete: lastComplete)
    Distributed.noteArchive(archive, resume: "wann resume \(archive)")
    if !dropped.isEmpty { Output.err("note: removed generation(s) \(dropped.map(String.init).joined(separator: ", ")) cut short by the interruption") }
    let loop = SearchLoop(json: running.json, quiet: running.quiet, championPath: nil, archive: writer)
    loop.header(config, threads: threads, from: done)
    try loop.run(&run, until: config.generations)
  }
}
