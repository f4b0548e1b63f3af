import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNDistributed
import WANNExperiments

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
  @OptionGroup var analysis: AnalysisOptions

  func validate() throws {
    try Limits.check(generations, "generations", Limits.generations)
  }

  func run() throws {
    if let note = Self.versionNote(archive) { Output.err(note) }
    Inputs.lookForEnvironmentModules(beside: archive)
    let options = analysis
    switch try SearchSession.resume(
      archivePath: archive, generations: generations, evaluator: running.threads.searchEvaluator,
      analysis: options.isGiven ? { options.apply(to: &$0) } : nil)
    {
    case .alreadyDone(let done, let target):
      // Nothing to do: the file is left untouched.
      Output.err("\(archive) already holds \(done) generations (target \(target)); pass --generations N to go further")
    case .ready(var session, let from, let dropped):
      Distributed.noteArchive(archive, resume: "wann resume \(archive)")
      if !dropped.isEmpty {
        Output.err(
          "note: removed generation(s) \(dropped.map(String.init).joined(separator: ", ")) cut short by the interruption"
        )
      }
      let loop = SearchLoop(json: running.output.json, quiet: running.quiet)
      loop.header(session.config, threads: running.threads.count, from: from)
      try loop.run(&session, until: session.config.generations)
    }
  }

  /// A note when another wann version wrote the archive: the generations added now come from
  /// this version's arithmetic (e.g. 0.5.0 changed the network's exp and tanh in the last bits,
  /// docs/method.md), so the run is no longer what one uninterrupted run of either version gives.
  static func versionNote(_ path: String) -> String? {
    guard let reader = try? ArchiveReader(path: path) else { return nil }
    defer { try? reader.close() }
    guard let writtenBy = reader.rootString("software_version"), writtenBy != WANNVersion.string else { return nil }
    return
      "note: \(path) was written by wann \(writtenBy); this is \(WANNVersion.string), so the generations resumed now follow this version's arithmetic (docs/method.md) and the run differs from one uninterrupted run of \(writtenBy)"
  }
}
