import ArgumentParser
import Foundation
import WANNCore
import WANNTasks

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Run a WANN search and write the champion genome as JSON.",
    discussion: """
      Settings come from the task's paper defaults, then --config FILE (TOML, see experiments/), \
      then the options below. One line per generation goes to stdout: generation, best, mean and \
      median of the genomes' mean reward, the champion's re-tested reward, connections and nodes, \
      and seconds. With --json each line is instead one JSON object with the same fields.
      """)

  @Option(help: "Task to solve: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")). Default: the config's task, else swingup.")
  var task: TaskKind?

  @Option(help: "TOML config file (e.g. experiments/swingup.toml). Unknown keys are errors.")
  var config: String?

  @Option(help: "Random seed (overrides the config). Same seed and config give the same run.")
  var seed: UInt64?

  @Option(help: "Number of generations (overrides the config; paper: 1024).")
  var generations: Int?

  @Option(help: "Population size (overrides the config; paper: 192).")
  var population: Int?

  @Option(help: "Evaluation threads (default: all cores). Results do not depend on it.")
  var threads: Int?

  @Option(help: "Where to write the champion genome (JSON). Default: runs/<task>-s<seed>-champion.json.")
  var champion: String?

  @Flag(help: "Overwrite the champion file if it exists.")
  var force = false

  @Flag(help: "Print one JSON object per generation instead of text.")
  var json = false

  @Flag(help: "No progress bar.")
  var quiet = false

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let generations, generations < 0 { throw ValidationError("--generations must be 0 or more") }
    if let population, population < 2 { throw ValidationError("--population must be at least 2") }
  }

  func resolvedConfig() throws -> SearchConfig {
    var c = try Inputs.config(file: config, task: task)
    if let seed { c.seed = seed }
    if let generations { c.generations = generations }
    if let population { c.population.size = population }
    do { try c.validate() } catch { throw CLIError("invalid settings: \(error)") }
    return c
  }

  func run() throws {
    let config = try resolvedConfig()
    let threads = self.threads ?? Inputs.coreCount
    let championPath = champion ?? "runs/\(config.task.rawValue)-s\(config.seed)-champion.json"
    if FileManager.default.fileExists(atPath: championPath) && !force {
      throw CLIError("\(championPath) already exists: pass --force to overwrite it or --champion PATH to write elsewhere")
    }
    let dir = (championPath as NSString).deletingLastPathComponent
    if !dir.isEmpty {
      do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
        throw CLIError("cannot create directory '\(dir)' for the champion: \(error.localizedDescription)")
      }
    }
    var run = SearchRun(config: config, threads: threads)
    if !json {
      Output.line("# wann search: task \(config.task.rawValue), seed \(config.seed), population \(config.population.size), generations \(config.generations), \(threads) thread(s)")
      Output.line("#   gen      best      mean    median  champion  conns  nodes      sec")
    }
    let progress = ProgressLine(enabled: !quiet && Output.stderrIsTerminal, total: config.generations)
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<config.generations {
      let s = run.runGeneration()
      progress.clear()
      if json {
        Output.line(Output.json(s))
      } else {
        let champ = s.championReward.map { Output.fixed($0) } ?? "-"
        let cells = [
          Output.pad("\(s.generation)", 7), Output.pad(Output.fixed(s.best), 9), Output.pad(Output.fixed(s.mean), 9),
          Output.pad(Output.fixed(s.median), 9), Output.pad(champ, 9),
          Output.pad(s.championConnections.map(String.init) ?? "-", 6), Output.pad(s.championNodes.map(String.init) ?? "-", 6),
          Output.pad(Output.fixed(s.seconds, 2), 8),
        ]
        Output.line(cells.joined(separator: " "))
      }
      if s.newChampion { try writeChampion(run, to: championPath) }
      progress.update(done: s.generation + 1, elapsed: SearchRun.seconds(clock.now - start))
    }
    progress.clear()
    if let c = run.evolution.champion {
      let message = "champion: generation \(c.generation), re-tested mean reward \(Output.fixed(c.retestMean)), \(c.genome.enabledConnectionCount) connections, \(c.genome.nodes.count) nodes -> \(championPath)"
      if json { Output.err(message) } else { Output.line("# " + message) }
    } else {
      Output.err("no champion: no generation was evaluated")
    }
  }

  func writeChampion(_ run: SearchRun, to path: String) throws {
    guard let c = run.evolution.champion else { return }
    let doc = GenomeDocument(task: run.config.task, genome: c.genome, generation: c.generation, seed: run.config.seed,
                             searchMeanReward: c.searchMean, retestMeanReward: c.retestMean)
    do { try Data((Output.prettyJSON(doc) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw CLIError("cannot write champion to '\(path)': \(error.localizedDescription)")
    }
  }
}
