import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
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
    if !dropped.isEmpty { Output.err("note: removed generation(s) \(dropped.map(String.init).joined(separator: ", ")) cut short by the interruption") }
    let loop = SearchLoop(json: running.json, quiet: running.quiet, championPath: nil, archive: writer)
    loop.header(config, threads: threads, from: done)
    try loop.run(&run, until: config.generations)
  }
}

/// The `--json` output of `wann inspect`.
struct InspectReport: Codable {
  var path: String
  var format: String
  var formatVersion: Int64
  var softwareVersion: String?
  var task: String
  var seed: UInt64
  var host: String?
  var startTime: String?
  var endTime: String?
  var configTOML: String
  var completeGenerations: Int
  var incompleteGenerations: [Int]
  var champion: ChampionInfo?
  var generations: [GenerationSummary]

  struct ChampionInfo: Codable {
    var generation: Int
    var index: Int
    var retestMeanReward: Double
    var searchMeanReward: Double
    var connections: Int
    var nodes: Int
    var reference: String
  }
}

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Summarise a run archive: task, config, generations, best curve, champion.",
    discussion: "With --json: one object whose `generations` list holds every generation's statistics.")

  @Argument(help: "The run archive.")
  var archive: String

  @Flag(help: "Print one JSON object.")
  var json = false

  func run() throws {
    let comparison = try ComparisonReader(path: archive)
    if comparison.isComparison {
      try inspectComparison(comparison)
      return
    }
    if comparison.kind == "experiment" && !json {
      Output.line("archive    \(archive) (experiment, task \(comparison.task ?? "?"))")
      Output.line("runs       \(comparison.runs.joined(separator: ", "))")
      Output.line("           tabulate with: wann experiment report \(archive); one run: \(archive)#RUN/champion")
      return
    }
    let reader = try ArchiveReader(path: archive)
    let summaries = try reader.completeGenerations.map { try reader.summary($0) }
    let champion = try reader.champion().map {
      InspectReport.ChampionInfo(generation: $0.generation, index: $0.index, retestMeanReward: $0.retestMean,
                                 searchMeanReward: $0.searchMean, connections: $0.genome.enabledConnectionCount,
                                 nodes: $0.genome.nodes.count, reference: "\(archive)#\($0.generation)/\($0.index)")
    }
    let report = InspectReport(
      path: archive, format: ArchiveSchema.format, formatVersion: reader.formatVersion,
      softwareVersion: reader.rootString("software_version"), task: reader.task.rawValue, seed: reader.config.seed,
      host: reader.rootString("host"), startTime: reader.rootString("start_time"), endTime: reader.rootString("end_time"),
      configTOML: reader.config.tomlText, completeGenerations: summaries.count,
      incompleteGenerations: reader.incompleteGenerations, champion: champion, generations: summaries)
    if json {
      Output.line(Output.json(report))
      return
    }
    Output.line("archive    \(archive) (format \(report.format) v\(report.formatVersion), written by wann \(report.softwareVersion ?? "?"))")
    Output.line("task       \(report.task), seed \(report.seed), population \(reader.config.population.size)")
    Output.line("run        \(report.startTime ?? "?") .. \(report.endTime ?? "not finished") on \(report.host ?? "?")")
    let planned = reader.config.generations
    Output.line("generations \(summaries.count) complete of \(planned) planned" +
                (report.incompleteGenerations.isEmpty ? "" : ", cut short: \(report.incompleteGenerations)"))
    if let c = champion {
      Output.line("champion   generation \(c.generation), genome \(c.index): re-tested mean reward \(Output.fixed(c.retestMeanReward)), \(c.connections) connections, \(c.nodes) nodes  (\(c.reference))")
    }
    if !summaries.isEmpty {
      Output.line("best curve (generation: best mean reward / champion):")
      let step = max(1, summaries.count / 16)
      var shown = Array(stride(from: 0, to: summaries.count, by: step))
      if shown.last != summaries.count - 1 { shown.append(summaries.count - 1) }
      for i in shown {
        let s = summaries[i]
        Output.line("  \(Output.pad(String(s.generation), 6)): \(Output.pad(Output.fixed(s.best), 8)) / \(s.championReward.map { Output.fixed($0) } ?? "-")")
      }
    }
    Output.line("config:")
    for line in reader.config.tomlText.split(separator: "\n") { Output.line("  " + line) }
  }
}

extension InspectCommand {
  /// A comparison archive: its runs and, when finished, the table and tests of `wann compare`.
  func inspectComparison(_ c: ComparisonReader) throws {
    let result = SpaceComparison(task: c.task ?? "?", generations: 0, population: 0, trials: 0, scores: c.scores)
    if json {
      struct Report: Codable { var path: String; var kind: String; var runs: [String]; var rows: [SpaceComparison.Row]; var tests: [SpaceComparison.Test] }
      Output.line(Output.json(Report(path: archive, kind: "comparison", runs: c.runs, rows: result.rows, tests: result.tests)))
      return
    }
    Output.line("archive    \(archive) (comparison of search spaces, task \(c.task ?? "?"))")
    Output.line("runs       \(c.runs.joined(separator: ", "))")
    Output.line("           inspect or evaluate one as \(archive)#RUN/champion")
    if result.rows.isEmpty {
      Output.line("comparison not finished (no /comparison group)")
      return
    }
    for r in result.rows {
      Output.line("  \(Output.pad(r.condition, -16)) \(r.runs) runs  mean \(Output.fixed(r.mean, 2)) ± \(Output.fixed(r.ci95, 2))  median \(Output.fixed(r.median, 2))")
    }
    for t in result.tests {
      Output.line("  \(t.a) vs \(t.b): U = \(Output.fixed(t.u, 1)), p = \(String(format: "%.4f", t.p))")
    }
  }
}

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the genomes of one generation (or the champion) as JSON for other tools.",
    discussion: """
      Writes a JSON array of wann genome documents (the format `wann evaluate --genome x.json` \
      reads), each with its generation, index, origin, parent and scores.
      """)

  @Argument(help: "The run archive.")
  var archive: String

  @Option(help: "Generation to export (default: the last complete one).")
  var generation: Int?

  @Flag(help: "Export only the run's champion.")
  var champion = false

  @Option(help: "Output format (json).")
  var format = "json"

  @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
  var output: String?

  struct Entry: Codable {
    var index: Int
    var origin: String
    var parent: Int?
    var meanReward: Double
    var document: GenomeDocument
  }

  func run() throws {
    guard format == "json" else { throw CLIError("unknown --format '\(format)': only json is supported") }
    let reader = try ArchiveReader(path: archive)
    var entries: [Entry] = []
    if champion {
      guard let c = try reader.champion() else { throw CLIError("\(archive) has no champion yet") }
      entries.append(Entry(index: c.index, origin: "champion", parent: nil, meanReward: c.searchMean,
                           document: GenomeDocument(task: reader.task, genome: c.genome, generation: c.generation,
                                                    seed: reader.config.seed, searchMeanReward: c.searchMean,
                                                    retestMeanReward: c.retestMean)))
    } else {
      guard let g = generation ?? reader.completeGenerations.last else { throw CLIError("\(archive) holds no complete generation") }
      let population = try reader.population(g)
      let rewards = try reader.rewards(g)
      for (i, ind) in population.enumerated() {
        let mean = rewards.objectives(genome: i).mean
        entries.append(Entry(index: i, origin: ind.origin.rawValue, parent: ind.parent, meanReward: mean,
                             document: GenomeDocument(task: reader.task, genome: ind.genome, generation: g,
                                                      seed: reader.config.seed, searchMeanReward: mean)))
      }
    }
    let text = Output.prettyJSON(entries) + "\n"
    if let output {
      do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
        throw CLIError("cannot write '\(output)': \(error.localizedDescription)")
      }
    } else {
      print(text, terminator: "")
    }
  }
}
