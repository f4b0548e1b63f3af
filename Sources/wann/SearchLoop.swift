import Foundation
import WANNArchive
import WANNCore
import WANNTasks

/// The generation loop shared by `wann search` and `wann resume`: run, print, archive, keep the
/// champion file current.
struct SearchLoop {
  var json: Bool
  var quiet: Bool
  var championPath: String?
  var archive: ArchiveWriter?

  func header(_ config: SearchConfig, threads: Int, from start: Int) {
    guard !json else { return }
    let resumed = start > 0 ? ", resuming at generation \(start)" : ""
    Output.line("# wann search: task \(config.task.rawValue), seed \(config.seed), population \(config.population.size), generations \(config.generations), \(threads) thread(s)\(resumed)")
    Output.line("#   gen      best      mean    median  champion  conns  nodes      sec")
  }

  /// Runs generations until `run` reaches `total`.
  func run(_ run: inout SearchRun, until total: Int) throws {
    let start = run.evolution.generation
    let progress = ProgressLine(enabled: !quiet && Output.stderrIsTerminal, total: total)
    let clock = ContinuousClock()
    let began = clock.now
    while run.evolution.generation < total {
      let result = run.runGenerationInFull()
      let s = result.summary
      try archive?.write(result)
      progress.clear()
      if json {
        Output.line(Output.json(s))
      } else {
        // Classification rewards are negative cross-entropies near -2.3: show more digits.
        let digits = run.evolution.config.task.isClassification ? 4 : 1
        let champ = s.championReward.map { Output.fixed($0, digits) } ?? "-"
        let cells = [
          Output.pad("\(s.generation)", 7), Output.pad(Output.fixed(s.best, digits), 9), Output.pad(Output.fixed(s.mean, digits), 9),
          Output.pad(Output.fixed(s.median, digits), 9), Output.pad(champ, 9),
          Output.pad(s.championConnections.map(String.init) ?? "-", 6), Output.pad(s.championNodes.map(String.init) ?? "-", 6),
          Output.pad(Output.fixed(s.seconds, 2), 8),
        ]
        Output.line(cells.joined(separator: " "))
      }
      if s.newChampion, let championPath { try writeChampion(run, to: championPath) }
      let elapsed = SearchRun.seconds(clock.now - began)
      progress.update(done: s.generation + 1 - start, elapsed: elapsed, of: total - start)
    }
    progress.clear()
    try archive?.finish(champion: run.evolution.champion)
    var message: String
    if let c = run.evolution.champion {
      message = "champion: generation \(c.generation), re-tested mean reward \(Output.fixed(c.retestMean, run.evolution.config.task.isClassification ? 4 : 1)), \(c.genome.enabledConnectionCount) connections, \(c.genome.nodes.count) nodes"
      if let archive { message += " -> \(archive.path)#champion" }
      if let championPath { message += (archive == nil ? " -> " : ", ") + championPath }
    } else {
      message = "no champion: no generation was evaluated"
    }
    if json { Output.err(message) } else { Output.line("# " + message) }
  }

  func writeChampion(_ run: SearchRun, to path: String) throws {
    guard let c = run.evolution.champion else { return }
    let doc = GenomeDocument(task: run.config.task, genome: c.genome, generation: c.generation, seed: run.config.seed,
                             searchMeanReward: c.searchMean, retestMeanReward: c.retestMean)
    do { try Data((Output.prettyJSON(doc) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw CLIError("cannot write champion to '\(path)': \(error.localizedDescription)")
    }
  }

  /// Runs a whole search silently into `archive` (a run of a comparison or experiment) and
  /// returns its champion.
  static func runQuietly(_ config: SearchConfig, threads: Int, into archive: ArchiveWriter) throws -> Champion? {
    var run = try SearchRun(config: config, threads: threads)
    for _ in 0..<config.generations { try archive.write(run.runGenerationInFull()) }
    try archive.finish(champion: run.evolution.champion)
    return run.evolution.champion
  }

  static func prepareDirectory(for path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    guard !dir.isEmpty else { return }
    do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      throw CLIError("cannot create directory '\(dir)': \(error.localizedDescription)")
    }
  }
}
