import Foundation
import WANNCore
import WANNExperiments

/// Prints a search as it runs (`wann search`, `wann resume`): a header, one line (or JSON
/// object) per generation, a progress line on a terminal, and the champion at the end. Running
/// and archiving are `SearchSession`'s.
struct SearchLoop {
  var json: Bool
  var quiet: Bool

  func header(_ config: SearchConfig, threads: Int, from start: Int) {
    guard !json else { return }
    let resumed = start > 0 ? ", resuming at generation \(start)" : ""
    Output.line(
      "# wann search: task \(config.task.rawValue), seed \(config.seed), population \(config.population.size), generations \(config.generations), \(threads) thread(s)\(resumed)"
    )
    Output.line("#   gen      best      mean    median  champion  conns  nodes      sec")
  }

  /// Runs `session` until `total` generations, printing each, then finishes its archive.
  func run(_ session: inout SearchSession, until total: Int) throws {
    let start = session.generation
    let progress = ProgressLine(enabled: !quiet && Output.stderrIsTerminal, total: total)
    let clock = ContinuousClock()
    let began = clock.now
    // Classification rewards are negative cross-entropies near -2.3: show more digits.
    let digits = session.config.task.isClassification ? 4 : 1
    try session.run(until: total) { s in
      progress.clear()
      if json {
        Output.line(Output.json(s))
      } else {
        let champ = s.championReward.map { Output.fixed($0, digits) } ?? "-"
        let cells = [
          Output.pad("\(s.generation)", 7), Output.pad(Output.fixed(s.best, digits), 9),
          Output.pad(Output.fixed(s.mean, digits), 9),
          Output.pad(Output.fixed(s.median, digits), 9), Output.pad(champ, 9),
          Output.pad(s.championConnections.map(String.init) ?? "-", 6),
          Output.pad(s.championNodes.map(String.init) ?? "-", 6),
          Output.pad(Output.fixed(s.seconds, 2), 8),
        ]
        Output.line(cells.joined(separator: " "))
      }
      progress.update(done: s.generation + 1 - start, elapsed: (clock.now - began).inSeconds, of: total - start)
    }
    progress.clear()
    try session.finish()
    var message: String
    if let c = session.run.evolution.champion {
      message =
        "champion: generation \(c.generation), re-tested mean reward \(Output.fixed(c.retestMean, digits)), \(c.genome.activeConnectionCount) connections, \(c.genome.nodes.count) nodes"
      if let archive = session.archive { message += " -> \(archive.path)#champion" }
      if let championPath = session.championPath { message += (session.archive == nil ? " -> " : ", ") + championPath }
    } else {
      message = "no champion: no generation was evaluated"
    }
    if json { Output.err(message) } else { Output.line("# " + message) }
  }
}
