import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNExperiments
import WANNTasks

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
  /// What analysis the run holds under its genomes.
  var analysis: AnalysisInfo

  struct AnalysisInfo: Codable {
    /// Genomes with any stored result.
    var genomes: Int
    /// Results of each kind (profiles, battery, conditions, classification).
    var results: [String: Int]
    /// Results made by the search itself (`[analysis]`), the generations they were made at, and
    /// the rollouts they took.
    var duringSearch: Int
    var duringSearchGenerations: [Int]
    var duringSearchRollouts: Int
  }

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

  @OptionGroup var output: JSONOption
  var json: Bool { output.json }

  @Flag(help: "Read every dataset in full (checksums verified) and list what is damaged; exit status 1 if anything is.")
  var check = false

  func run() throws {
    if check {
      let damaged = try ArchiveReader.damagedObjects(path: archive)
      if json {
        Output.line(Output.json(["path": archive, "damaged": damaged.joined(separator: "\n")]))
      } else {
        for d in damaged { Output.line("damaged: \(d)") }
        Output.line(
          damaged.isEmpty
            ? "\(archive): every group and dataset reads (checksums verified where stored)"
            : "\(archive): \(damaged.count) damaged object(s); everything else reads")
      }
      if !damaged.isEmpty { throw ExitCode(1) }
      return
    }
    let comparison = try MultiRunReader(path: archive)
    if comparison.isComparison {
      try inspectComparison(comparison)
      return
    }
    if comparison.kind == .experiment && !json {
      Output.line("archive    \(archive) (experiment, task \(comparison.task ?? "?"))")
      Output.line("runs       \(comparison.runs.joined(separator: ", "))")
      Output.line("           tabulate with: wann experiment report \(archive); one run: \(archive)#RUN/champion")
      return
    }
    // Everything is read in one unit, started again from a fresh open if a live search's flush
    // gets in the way (its analysis results keep arriving under /analysis).
    let (report, populationSize, planned) = try ArchiveReader.reading(archive) { reader in
      let summaries = try reader.completeGenerations.map { try reader.summary($0) }
      let champion = try reader.champion().map {
        InspectReport.ChampionInfo(
          generation: $0.generation, index: $0.index, retestMeanReward: $0.retestMean,
          searchMeanReward: $0.searchMean, connections: $0.genome.activeConnectionCount,
          nodes: $0.genome.nodes.count, reference: "\(archive)#\($0.generation)/\($0.index)")
      }
      let report = InspectReport(
        path: archive, format: ArchiveSchema.format, formatVersion: reader.formatVersion,
        softwareVersion: reader.rootString("software_version"), task: reader.task.rawValue, seed: reader.config.seed,
        host: reader.rootString("host"), startTime: reader.rootString("start_time"),
        endTime: reader.rootString("end_time"),
        configTOML: reader.config.tomlText, completeGenerations: summaries.count,
        incompleteGenerations: reader.incompleteGenerations, champion: champion, generations: summaries,
        analysis: try Self.analysisInfo(reader))
      return (report, reader.config.population.size, reader.generationsTarget)
    }
    let summaries = report.generations
    if json {
      Output.line(Output.json(report))
      return
    }
    Output.line(
      "archive    \(archive) (format \(report.format) v\(report.formatVersion), written by wann \(report.softwareVersion ?? "?"))"
    )
    Output.line("task       \(report.task), seed \(report.seed), population \(populationSize)")
    Output.line("run        \(report.startTime ?? "?") .. \(report.endTime ?? "not finished") on \(report.host ?? "?")")
    Output.line(
      "generations \(summaries.count) complete of \(planned) planned"
        + (report.incompleteGenerations.isEmpty ? "" : ", cut short: \(report.incompleteGenerations)"))
    // Classification rewards (negative cross-entropies near -2.3) need more digits.
    let digits = (TaskKind(rawValue: report.task)?.isClassification ?? false) ? 4 : 1
    if let c = report.champion {
      Output.line(
        "champion   generation \(c.generation), genome \(c.index): re-tested mean reward \(Output.fixed(c.retestMeanReward, digits)), \(c.connections) connections, \(c.nodes) nodes  (\(c.reference))"
      )
    }
    if !summaries.isEmpty {
      Output.line("best curve (generation: best mean reward / champion):")
      let step = max(1, summaries.count / 16)
      var shown = Array(stride(from: 0, to: summaries.count, by: step))
      if shown.last != summaries.count - 1 { shown.append(summaries.count - 1) }
      for i in shown {
        let s = summaries[i]
        Output.line(
          "  \(Output.pad(String(s.generation), 6)): \(Output.pad(Output.fixed(s.best, digits), 8)) / \(s.championReward.map { Output.fixed($0, digits) } ?? "-")"
        )
      }
    }
    let a = report.analysis
    if a.genomes > 0 {
      let kinds = a.results.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      var line = "analysis   \(kinds) for \(a.genomes) genome(s)"
      if a.duringSearch > 0 {
        let gens = a.duringSearchGenerations
        let shown =
          gens.count > 8
          ? "\(gens.prefix(6).map(String.init).joined(separator: ", ")), ... \(gens.last!)"
          : gens.map(String.init).joined(separator: ", ")
        line +=
          "; \(a.duringSearch) made while searching, at \(gens.count) generation(s) (\(shown)), \(a.duringSearchRollouts) rollouts"
      }
      Output.line(line)
    }
    Output.line("config:")
    for line in report.configTOML.split(separator: "\n") { Output.line("  " + line) }
  }

  /// Counts the run's stored analysis results (and those the search made itself).
  static func analysisInfo(_ reader: ArchiveReader) throws -> InspectReport.AnalysisInfo {
    var info = InspectReport.AnalysisInfo(
      genomes: 0, results: [:], duringSearch: 0, duringSearchGenerations: [], duringSearchRollouts: 0)
    var generations = Set<Int>()
    let genomes = try reader.analysedGenomes()
    info.genomes = genomes.count
    for ref in genomes {
      for kind in AnalysisKind.allCases.map(\.rawValue) {
        let results = try reader.results(kind, generation: ref.generation, index: ref.index)
        if !results.isEmpty { info.results[kind, default: 0] += results.count }
        for r in results where (try? r.int64("during_search")) == 1 {
          info.duringSearch += 1
          info.duringSearchRollouts += Int((try? r.int64("rollouts")) ?? 0)
          if let at = try? r.int64("at_generation") { generations.insert(Int(at)) }
        }
      }
    }
    info.duringSearchGenerations = generations.sorted()
    return info
  }
}

extension InspectCommand {
  /// A comparison archive: its runs and, when finished, the table and tests of `wann compare`.
  func inspectComparison(_ c: MultiRunReader) throws {
    let result = SpaceComparison(task: c.task ?? "?", generations: 0, population: 0, trials: 0, scores: c.scores)
    if json {
      struct Report: Codable {
        var path: String; var kind: String; var runs: [String]; var rows: [SpaceComparison.Row];
        var tests: [SpaceComparison.Test]
      }
      Output.line(
        Output.json(Report(path: archive, kind: "comparison", runs: c.runs, rows: result.rows, tests: result.tests)))
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
      Output.line(
        "  \(Output.pad(r.condition, -16)) \(r.runs) runs  mean \(Output.fixed(r.mean, 2)) ± \(Output.fixed(r.ci95, 2))  median \(Output.fixed(r.median, 2))"
      )
    }
    for t in result.tests {
      Output.line("  \(t.a) vs \(t.b): U = \(Output.fixed(t.u, 1)), p = \(Output.pValue(t.p))")
    }
  }
}
