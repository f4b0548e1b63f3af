import ArgumentParser
import Foundation
import WANNArchive
import WANNCore
import WANNExperiments
import WANNTasks

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
    let overview = try RunOverview.read(archive)
    let (report, populationSize, planned) = (overview.report, overview.populationSize, overview.plannedGenerations)
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
