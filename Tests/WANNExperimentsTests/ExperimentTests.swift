import Foundation
import Testing
@testable import WANNCore
@testable import WANNExperiments
import WANNArchive
import WANNTasks

@Suite struct ExperimentTests {
  static func file(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("experiments/\(name)")
    return try String(contentsOf: url, encoding: .utf8)
  }

  @Test func faqAblationsDefinesTheFAQsVariantsWithAnEqualBudget() throws {
    let e = try Experiment(toml: Self.file("faq-ablations.toml"))
    #expect(
      e.variants.map(\.name) == [
        "baseline", "fixed07", "fixed10", "random", "noise005", "noise010", "noise025", "noise050", "noise100",
      ])
    #expect(e.seeds >= 5 && e.task == .swingup)
    for (name, c) in e.variants {
      #expect(c.evaluation.repetitions * c.evaluation.mode.conditionCount == 18, "\(name)")
      #expect(c.generations == e.generations)
    }
    let byName = Dictionary(uniqueKeysWithValues: e.variants.map { ($0.name, $0.config) })
    #expect(byName["fixed07"]!.evaluation.mode == .singleFixed(0.7))
    #expect(byName["random"]!.evaluation.mode == .perConnectionRandom(low: -2, high: 2, draws: 6))
    #expect(byName["noise025"]!.evaluation.mode == .gaussianNoise([-2, -1, -0.5, 0.5, 1, 2], sigma: 0.25))
    #expect(e.battery.sweep.count == 41 && e.battery.sweep.first == -2 && e.battery.sweep.last == 2)
    #expect(e.battery.noiseSigmas == [0.05, 0.1, 0.25, 0.5, 1.0])
  }

  /// The fidelity study: the original release's example-run settings, the original's semantics
  /// against ours, and each switch alone.
  @Test func fidelityExperimentsSwitchTheOriginalsBehaviours() throws {
    let laptop = try Experiment(toml: Self.file("fidelity-laptop.toml"))
    #expect(laptop.seeds >= 10 && laptop.generations == 1024)
    let byName = Dictionary(uniqueKeysWithValues: laptop.variants.map { ($0.name, $0.config) })
    let original = try #require(byName["original"]), ours = try #require(byName["ours"])
    #expect(
      original.population.size == 64 && original.population.eliteRatio == 0.05
        && original.evaluation.championRetests == 16)
    #expect(original.population.tournamentSize == 4 && original.population.parentSelection == .betterOfTwo)
    #expect(original.ranking.crowding == .original && original.evaluation.repetitions == 3)
    #expect(
      ours.population.tournamentSize == 8 && ours.population.parentSelection == .oneTournament
        && ours.ranking.crowding == .range)
    let hiddenLinks = try #require(byName["originalHiddenLinks"])
    var withoutRule = hiddenLinks
    withoutRule.searchSpace.disabledHiddenLinks = .inactive
    #expect(hiddenLinks.searchSpace.disabledHiddenLinks == .active && withoutRule == original)
    let switches = try Experiment(toml: Self.file("fidelity-switches.toml"))
    #expect(switches.variants.map(\.name) == ["ours", "betterOfTwo", "crowding", "original"])
    let full = try SearchConfig(toml: Self.file("swingup-original.toml"))
    #expect(full.population.parentSelection == .betterOfTwo && full.ranking.crowding == .original)
    #expect(full.searchSpace.disabledHiddenLinks == .active)
    // The defaults follow the original's code except its crowding scale; the paper read
    // literally switches all three back.
    var defaults = full
    defaults.ranking.crowding = .range
    #expect(defaults == SearchConfig.defaults(for: .swingup))
    let paper = try SearchConfig(toml: Self.file("swingup-paper.toml"))
    var literal = defaults
    literal.population.parentSelection = .oneTournament
    literal.searchSpace.disabledHiddenLinks = .inactive
    #expect(paper == literal)
    // The semantics studies pin every switch, so they mean the same whatever the defaults are.
    for v in switches.variants {
      #expect(v.config.searchSpace.disabledHiddenLinks == .inactive, "\(v.name)")
      #expect(
        v.config.population.parentSelection
          == (v.name == "betterOfTwo" || v.name == "original" ? .betterOfTwo : .oneTournament))
    }
    #expect(original.searchSpace.disabledHiddenLinks == .inactive && ours.searchSpace.disabledHiddenLinks == .inactive)
  }

  /// Every file in experiments/ reads: experiment grids (they have variants) as experiments,
  /// the others as search configs.
  @Test func everyExperimentsFileReads() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("experiments")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }
      .sorted()
    #expect(names.count >= 10)
    for name in names {
      let text = try Self.file(name)
      if text.contains("[variants.") {
        #expect(throws: Never.self, "\(name)") { _ = try Experiment(toml: text) }
      } else {
        #expect(throws: Never.self, "\(name)") { _ = try SearchConfig(toml: text) }
      }
    }
  }

  /// The strong preset's study runs the preset: its variant searches as the preset file does.
  @Test func strongStudyRunsTheStrongPreset() throws {
    let study = try Experiment(toml: try Self.file("strong-study.toml"))
    var variant = try #require(study.variants.first { $0.name == "strong" }).config
    var preset = try SearchConfig(toml: try Self.file("swingup-strong.toml"))
    variant.seed = 1
    preset.seed = 1
    #expect(variant.searchOnly == preset.searchOnly)
  }

  /// `[variants.plain]` with no keys is a variant with the base settings (it used to vanish).
  /// `[battery]` says nothing the CLI or a search config would refuse (issue: `fixed = [nan]`
  /// reported a column "w=nan"; `sweep = [2.0, -2.0, 1]` ran the single weight 2.0).
  @Test func batteryValuesHaveTheRangesOfASearchConfig() throws {
    let head = "seeds = 1\ngenerations = 2\n[variants.a]\nsearchSpace.recurrent = true\n[battery]\n"
    for (line, key) in [
      ("fixed = [nan]", "battery.fixed"), ("fixed = []", "battery.fixed"), ("fixed = [0.5, inf]", "battery.fixed"),
      ("sweep = [2.0, -2.0, 1]", "battery.sweep"), ("sweep = [-2.0, 2.0, 1]", "battery.sweep"),
      ("sweep = [-2.0, 2.0, 2.5]", "battery.sweep"), ("sweep = [-2.0, nan, 5]", "battery.sweep"),
      ("sweep = [-2.0, 2.0, 5000]", "battery.sweep"), ("noiseSigmas = [-0.1]", "battery.noiseSigmas"),
      ("noiseSigmas = [nan]", "battery.noiseSigmas"), ("trials = 0", "battery.trials"),
      ("randomDraws = 0", "battery.randomDraws"), ("trials = 100000", "battery.trials"),
    ] {
      #expect(throws: ConfigError.self, "\(line)") { _ = try Experiment(toml: head + line + "\n") }
      do { _ = try Experiment(toml: head + line + "\n") } catch {
        #expect("\(error)".contains(key), "\(line): \(error)")
      }
    }
    let fine = try Experiment(toml: head + "sweep = [-1.0, 1.0, 3]\nfixed = [0.7]\nnoiseSigmas = [0.0, 0.5]\n")
    #expect(fine.battery.sweep == [-1, 0, 1] && fine.battery.fixed == [0.7] && fine.battery.noiseSigmas == [0, 0.5])
  }

  /// A variant's name names its runs' groups: one HDF5 cannot use is refused before anything runs.
  @Test func variantNamesThatAreNoGroupNamesAreRefused() throws {
    for name in ["a/b", ".", ".."] {
      #expect(throws: ConfigError.self, "\(name)") {
        _ = try Experiment(toml: "seeds = 1\n[variants.\"\(name)\"]\nsearchSpace.recurrent = true\n")
      }
    }
    #expect(try Experiment(toml: "seeds = 1\n[variants.\"a-b_c\"]\nsearchSpace.recurrent = true\n").variants.count == 1)
  }

  /// The grid sets a run's task, generations, seed and repetitions; a variant or the base that
  /// sets one would be overridden silently, so the file is refused with the key that says why.
  @Test func keysTheGridSetsAreRefusedInVariantsAndBase() throws {
    for (line, owner) in [
      ("task = \"recall\"", "task"), ("generations = 5", "generations"), ("seed = 3", "seeds"),
      ("evaluation.repetitions = 2", "budget"), ("evaluation_repetitions = 2", nil),
    ] {
      for (table, prefix) in [("[variants.a]\n", "variants.a."), ("", "base.")] {
        let text = "seeds = 1\n" + (table.isEmpty ? "base." + line + "\n[variants.a]\n" : table + line + "\n")
        guard let owner else {
          #expect(throws: ConfigError.self) { _ = try Experiment(toml: text) }  // not a key at all
          continue
        }
        let key = prefix + line.split(separator: " ").first!
        #expect(
          throws: ConfigError.invalidValue(
            key: key,
            reason:
              "is set for every run by the experiment's top-level `\(owner)`; set it there (a variant cannot differ in it)"
          )
        ) {
          _ = try Experiment(toml: text)
        }
      }
    }
    // The snake_case spelling is the same key.
    #expect(throws: ConfigError.self) {
      _ = try Experiment(toml: "seeds = 1\n[variants.a]\nevaluation.repetitions = 2\n")
    }
  }

  @Test func emptyVariantTableIsTheBaseSettings() throws {
    let e = try Experiment(
      toml: "base.population.size = 20\n[variants.plain]\n[variants.t16]\npopulation.tournamentSize = 16\n")
    #expect(e.variants.map(\.name) == ["plain", "t16"])
    #expect(e.variants[0].config.population.size == 20 && e.variants[0].config.population.tournamentSize == 8)
  }

  /// Continuing an experiment archive keeps finished runs only if the file still asks for them
  /// with the same settings; a grown grid adds its runs and the archive stores the new file.
  @Test func continuedExperimentChecksItsRuns() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("wann-continue-\(UUID().uuidString).h5")
      .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let head = "task = \"swingup\"\nseeds = 1\ngenerations = 2\nbudget = 6\nbase.population.size = 12\n"
    let battery = "[battery]\ntrials = 1\nsweep = [-1.0, 1.0, 2]\nfixed = [0.7]\nrandomDraws = 1\nnoiseSigmas = [0.1]\n"
    let first = head + "[variants.a]\npopulation.tournamentSize = 4\n" + battery
    try ExperimentRunner(definition: first, archivePath: path).run(
      force: false, evaluator: ParallelEvaluator(threads: 1), threads: 1)
    let edited = head + "[variants.a]\npopulation.tournamentSize = 5\n" + battery
    do {
      try ExperimentRunner(definition: edited, archivePath: path).run(
        force: false, evaluator: ParallelEvaluator(threads: 1), threads: 1)
      Issue.record("an edited variant was continued")
    } catch {
      #expect(
        "\(error)".contains("run a-s1") && "\(error)".contains("population.tournamentSize = 4 (file: 5)"), "\(error)")
    }
    let grown =
      head.replacingOccurrences(of: "seeds = 1", with: "seeds = 2") + "[variants.a]\npopulation.tournamentSize = 4\n"
      + battery
    var reran: [String] = []
    try ExperimentRunner(definition: grown, archivePath: path).run(
      force: false, evaluator: ParallelEvaluator(threads: 1), threads: 1, onRun: { reran.append($0.name) })
    #expect(reran == ["a-s2"])
    #expect(try MultiRunReader(path: path).experimentTOML == grown)
  }

  /// Shard K of N takes positions K-1, K-1+N, ...: every run in exactly one shard.
  @Test func shardsPartitionTheGrid() throws {
    let shards = try (1...3).map { try GridShard(parsing: "\($0)/3") }
    for position in 0..<20 { #expect(shards.filter { $0.owns(position: position) }.count == 1) }
    #expect((0..<8).filter { shards[1].owns(position: $0) } == [1, 4, 7])
    #expect(GridShard.whole.owns(position: 5) && GridShard.whole.isWhole)
    for bad in ["0/2", "3/2", "2", "/", "1/0", "x/2", "1/2/3", "-1/2"] {
      #expect(throws: ExperimentError.self) { try GridShard(parsing: bad) }
    }
  }

  @Test func smokeExperimentIsSmall() throws {
    let e = try Experiment(toml: Self.file("ablation-smoke.toml"))
    #expect(e.variants.allSatisfy { $0.config.population.size == 16 && $0.config.generations == 3 })
  }

  @Test(arguments: [
    ("budget = 7\n[variants.a]\nevaluation.weightMode = \"sharedSeries\"", "do not divide budget = 7"),
    ("seeds = 3\n", "at least one [variants.NAME]"),
    ("colour = 1\n[variants.a]\nevaluation.weightMode = \"singleFixed\"", "unknown key 'colour'"),
    ("[variants.a]\nevaluation.wieghtMode = \"singleFixed\"", "unknown key 'evaluation.wieghtMode'"),
    ("[variants.a]\nevaluation.weightMode = \"heavy\"", "must be one of"),
    ("[battery]\nsweep = [1, 2]\n[variants.a]\nevaluation.weightMode = \"singleFixed\"", "must be [low, high, points]"),
  ])
  func badDefinitionsNameTheProblem(_ text: String, _ needle: String) {
    do {
      _ = try Experiment(toml: text)
      Issue.record("no error for \(text)")
    } catch {
      #expect("\(error)".contains(needle), "\(error)")
    }
  }
}
