import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNTasks

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the genomes of one generation (or the champion) as JSON for other tools.",
    discussion: """
      Writes a JSON array of wann genome documents, each with its generation, index, origin, \
      parent and scores. `wann evaluate --genome FILE.json` reads a one-genome export \
      (`--champion`); `--genome FILE.json#INDEX` picks a genome of a generation export. One run \
      of an experiment or comparison archive is FILE.h5#RUN (e.g. runs/faq.h5#baseline-s1).
      """)

  @Argument(help: "The run archive (FILE.h5), or one run of an experiment or comparison archive (FILE.h5#RUN).")
  var archive: String

  @Option(help: "Generation to export (default: the last complete one).")
  var generation: Int?

  @Flag(help: "Export only the run's champion.")
  var champion = false

  @Option(help: "Output format.")
  var format = ExportFormat.json

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
    // FILE.h5#RUN names one run of a multi-run archive, read as the analysis commands read it.
    let hash = archive.lastIndex(of: "#")
    let path = hash.map { String(archive[..<$0]) } ?? archive
    let selector = hash.map { String(archive[archive.index(after: $0)...]) } ?? ""
    if selector.isEmpty, let runs = try? MultiRunReader(path: path).runs, !runs.isEmpty {
      throw CLIError("\(path) holds several runs; export one as \(path)#RUN (runs: \(runs.joined(separator: ", ")))")
    }
    let (reader, rest) = try AnalysisTarget.open(path: path, selector: selector)
    guard rest.isEmpty else {
      throw CLIError("bad archive reference '\(archive)': export takes FILE.h5 or FILE.h5#RUN")
    }
    var entries: [Entry] = []
    if champion {
      guard let c = try reader.champion() else { throw CLIError("\(archive) has no champion yet") }
      entries.append(
        Entry(
          index: c.index, origin: "champion", parent: nil, meanReward: c.searchMean,
          document: GenomeDocument(
            task: reader.task, genome: c.genome, generation: c.generation,
            seed: reader.config.seed, searchMeanReward: c.searchMean,
            retestMeanReward: c.retestMean)))
    } else {
      guard let g = generation ?? reader.completeGenerations.last else {
        throw CLIError("\(archive) holds no complete generation")
      }
      let population = try reader.population(g)
      let rewards = try reader.rewards(g)
      for (i, ind) in population.enumerated() {
        let mean = rewards.objectives(genome: i).mean
        entries.append(
          Entry(
            index: i, origin: ind.origin.rawValue, parent: ind.parent, meanReward: mean,
            document: GenomeDocument(
              task: reader.task, genome: ind.genome, generation: g,
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

/// What `wann export` writes.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
  /// A JSON array of genome documents with their generation, index, origin, parent and scores.
  case json
}
