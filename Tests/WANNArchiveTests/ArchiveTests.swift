import Foundation
import Testing
import WANNCore
import WANNTasks
@testable import WANNArchive
@testable import WANNExperiments
import WANNTestSupport

@Suite struct ArchiveTests {
  static func tempPath(_ name: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("wann-archive-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d.appendingPathComponent(name).path
  }

  static func config(_ generations: Int = 3) -> SearchConfig {
    var c = SearchConfig.defaults(for: .swingup)
    c.seed = 11
    c.population.size = 16
    c.generations = generations
    return c
  }

  static func write(_ path: String, config: SearchConfig) throws -> [GenerationResult] {
    let task = SwingUpTask()
    let writer = try ArchiveWriter(
      creating: path, config: config, inputLabels: task.inputLabels, outputLabels: task.outputLabels, force: false)
    var run = try SearchRun(config: config, threads: 2)
    var results: [GenerationResult] = []
    for _ in 0..<config.generations {
      let r = run.runGenerationInFull()
      try writer.write(r)
      results.append(r)
    }
    try writer.finish(champion: run.evolution.champion)
    try writer.close()
    return results
  }

  @Test func roundTripsEveryGeneration() throws {
    let path = Self.tempPath("run.h5")
    let results = try Self.write(path, config: Self.config())
    let reader = try ArchiveReader(path: path)
    #expect(reader.config == Self.config())
    #expect(reader.completeGenerations == [0, 1, 2] && reader.incompleteGenerations.isEmpty)
    for r in results {
      let g = r.summary.generation
      #expect(try reader.population(g) == r.population)
      #expect(try reader.rewards(g).values.map(\.bitPattern) == r.assessment.rewards.values.map(\.bitPattern))
      #expect(try reader.summary(g) == r.summary)
    }
    #expect(try reader.champion() == results.last!.champion)
  }

  /// A reader stays right while another process writes the archive on: it opened while the
  /// run had 3 generations, the `wann` binary then resumed it to 60 (rewriting `/generations`'s
  /// link index many times over), and the reader still reads its 3 generations as written.
  /// Readers once looked every generation up by name again and, held open for minutes during an
  /// MNIST search, met the writer's newer index through their stale cache ("no group").
  @Test func aReaderOpenWhileAnotherProcessWritesOnReadsWhatItSawOpen() throws {
    let binary = BuildProducts.wann
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "the wann binary is built beside the tests")
    let path = Self.tempPath("run.h5")
    let results = try Self.write(path, config: Self.config())
    let reader = try ArchiveReader(path: path)
    let writer = Process()
    writer.executableURL = binary
    writer.arguments = ["resume", path, "--generations", "60", "--threads", "2"]
    writer.standardOutput = FileHandle.nullDevice
    try writer.run()
    writer.waitUntilExit()
    #expect(writer.terminationStatus == 0)
    #expect(reader.completeGenerations == [0, 1, 2])
    for r in results {
      let g = r.summary.generation
      #expect(try reader.population(g) == r.population)
      #expect(try reader.summary(g) == r.summary)
    }
    #expect(try reader.champion() == results.last!.champion)
  }

  /// Every schema key goes through the archive's config attributes and comes back equal,
  /// for configs that set every key away from its default (and the optional key both ways).
  @Test(arguments: [false, true])
  func everyConfigKeyRoundTripsThroughHDF5Attributes(_ setsHiddenActivations: Bool) throws {
    var c = SearchConfig.defaults(for: .recall)
    c.seed = 123_456_789_012
    c.generations = 7
    c.population = PopulationConfig()
    c.population.size = 33
    c.population.eliteRatio = 0.125
    c.population.cullRatio = 0.3
    c.population.tournamentSize = 5
    c.population.initialConnectionProbability = 0.75
    c.population.parentSelection = .oneTournament
    // Islands and species exclude each other: one argument sets each, so every key is checked.
    c.population.islands = setsHiddenActivations ? 1 : 3
    c.population.migrationInterval = 6
    c.population.migrants = 2
    c.speciation.enabled = setsHiddenActivations
    c.speciation.targetSpecies = 6
    c.speciation.threshold = 1.5
    c.speciation.minThreshold = 0.75
    c.speciation.thresholdStep = 0.125
    c.speciation.geneCoefficient = 1.25
    c.speciation.activationCoefficient = 0.375
    c.speciation.stagnation = 40
    c.mutation.insertNode = 0.11
    c.mutation.addConnection = 0.22
    c.mutation.changeActivation = 0.33
    c.mutation.enableConnection = 0.44
    c.mutation.hiddenActivations = setsHiddenActivations ? [.tanh, .gaussian, .relu] : nil
    c.evaluation.weights = [-1.5, 0.25, 3]
    c.evaluation.repetitions = 4
    c.evaluation.championRetests = 9
    c.evaluation.weightMode = .gaussianNoise
    c.evaluation.fixedWeight = 0.6
    c.evaluation.randomLow = -3
    c.evaluation.randomHigh = 1.5
    c.evaluation.randomDraws = 8
    c.evaluation.noiseSigma = 0.35
    c.evaluation.batchSize = 77
    c.ranking.connectionObjectiveProbability = 0.65
    c.ranking.crowding = .original
    c.ranking.noveltyProbability = 0.125
    c.ranking.noveltyNeighbours = 7
    c.searchSpace = SearchSpace(recurrent: true, outputToOutput: true, disabledHiddenLinks: .inactive)
    c.analysis.profileEvery = 3
    c.analysis.batteryEvery = 5
    c.analysis.onChampionChange = false
    c.analysis.bestGenome = true
    c.analysis.budget = 100
    c.analysis.profileWeights = [-1, 1, 5]
    c.analysis.profileTrials = 2
    c.analysis.batteryTrials = 3
    c.analysis.batteryFixed = [0.5]
    c.analysis.batteryRandomDraws = 4
    c.analysis.batteryNoiseSigmas = [0.2]
    // Every key differs from the defaults, so a key the attributes lose shows up.
    let defaults = SearchConfig()
    let unset =
      setsHiddenActivations ? ["population.islands"] : ["mutation.hiddenActivations", "speciation.enabled"]
    for key in SearchConfig.schema where !unset.contains(key.name) {
      #expect(key.value(c) != key.value(defaults), "\(key.name) should differ from its default in this test")
    }
    let path = Self.tempPath("config.h5")
    let w = try ArchiveWriter(creating: path, config: c, inputLabels: ["x"], outputLabels: ["y"], force: false)
    try w.close()
    let reader = try ArchiveReader(path: path)
    #expect(try reader.configAttributes() == c)
    #expect(reader.config == c)
    try reader.close()
  }

  /// Under either disabled-hidden-links rule: the genomes read back carry the run's rule (the
  /// populations compare it), so the resumed search breeds and counts as the first one did.
  @Test(arguments: [DisabledLinkRule.inactive, .active])
  func restoredSearchContinuesExactly(_ rule: DisabledLinkRule) throws {
    let full = Self.tempPath("full.h5"), half = Self.tempPath("half.h5")
    func config(_ generations: Int) -> SearchConfig {
      var c = Self.config(generations)
      c.searchSpace.disabledHiddenLinks = rule
      return c
    }
    let uninterrupted = try Self.write(full, config: config(6))
    _ = try Self.write(half, config: config(3))
    let reader = try ArchiveReader(path: half)
    #expect(try reader.population(2).allSatisfy { $0.genome.disabledHiddenLinks == rule })
    let evolution = try #require(
      try reader.restoreEvolution(
        config: config(6), inputs: 5, outputs: 1,
        hiddenActivations: SwingUpTask().hiddenActivations))
    var run = try SearchRun(evolution: evolution, evaluator: ParallelEvaluator(threads: 1))
    #expect(run.evolution.generation == 3)
    for expected in uninterrupted.dropFirst(3) {
      let r = run.runGenerationInFull()
      var a = r.summary, b = expected.summary
      a.seconds = 0; b.seconds = 0
      #expect(a == b)
      #expect(r.population == expected.population)
      #expect(r.record == expected.record)
    }
  }

  /// An archive written before a config key existed ran with the value from before the key
  /// (`SearchConfig.valuesBeforeKeyExisted`), whatever today's default is: both stored forms of
  /// the config (TOML text and attributes) read that way.
  @Test func keysAddedLaterReadAsTheirValueBeforeTheyExisted() throws {
    var c = Self.config(1)
    c.population.parentSelection = .betterOfTwo
    c.ranking.crowding = .original
    c.searchSpace.disabledHiddenLinks = .active
    let path = Self.tempPath("older.h5")
    _ = try Self.write(path, config: c)
    do {
      let f = try H5File(path: path, mode: .readWrite)
      let later = SearchConfig.valuesBeforeKeyExisted.keys
      let text = c.tomlText.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
        !later.contains { $0.split(separator: ".").last.map { line.hasPrefix("\($0) =") } ?? false }
      }.joined(separator: "\n")
      try f.setAttribute("config_toml", text)
      let group = try f.openGroup(ArchiveSchema.configGroup)
      for k in later { try group.deleteAttribute(k) }
      try f.close()
    }
    let reader = try ArchiveReader(path: path)
    var before = c
    before.population.parentSelection = .oneTournament
    before.ranking.crowding = .range
    before.searchSpace.disabledHiddenLinks = .inactive
    #expect(reader.config == before)
    #expect(try reader.configAttributes() == before)
    #expect(try reader.population(0).allSatisfy { $0.genome.disabledHiddenLinks == .inactive })
    try reader.close()
  }

  @Test func refusesToOverwriteWithoutForce() throws {
    let path = Self.tempPath("run.h5")
    _ = try Self.write(path, config: Self.config(1))
    #expect {
      _ = try ArchiveWriter(
        creating: path, config: Self.config(), inputLabels: ["x"], outputLabels: ["y"], force: false)
    } throws: { error in
      guard case ArchiveError.exists(archive: path) = error else { return false }
      return true
    }
    #expect(try ArchiveReader(path: path).completeGenerations == [0])
  }

  @Test func badFilesGiveNamedErrors() throws {
    func error(_ path: String) -> String {
      do { _ = try ArchiveReader(path: path); return "no error" } catch { return "\(error)" }
    }
    let missing = Self.tempPath("missing.h5")
    #expect(error(missing).contains("does not exist"))
    let text = Self.tempPath("text.h5")
    try "not hdf5".write(toFile: text, atomically: true, encoding: .utf8)
    #expect(error(text).contains("is not an HDF5 file"))
    let foreign = Self.tempPath("foreign.h5")
    do {
      let f = try H5File(path: foreign, mode: .create)
      try f.setAttribute("something", Int64(1))
      try f.close()
    }
    #expect(error(foreign).contains("not a wann run archive"))
    let newer = Self.tempPath("newer.h5")
    _ = try Self.write(newer, config: Self.config(1))
    do {
      let f = try H5File(path: newer, mode: .readWrite)
      try f.setAttribute("format_version", Int64(99))
      try f.close()
    }
    #expect(error(newer).contains("format version 99"))
  }

  /// Hand-edited or foreign content is an error or is skipped, never a trap: links under
  /// `/generations` that are not our names ("-1", "+0", "x") are not generations, and a best or
  /// champion index its generation does not hold is reported as damage.
  @Test func oddGenerationNamesAndIndicesAreSkippedOrReported() throws {
    let path = Self.tempPath("run.h5")
    _ = try Self.write(path, config: Self.config(2))
    do {
      let f = try H5File(path: path, mode: .readWrite)
      let gens = try f.openGroup(ArchiveSchema.generationsGroup)
      for name in ["-1", "+0", "x"] { try gens.createGroup(name).setAttribute("complete", Int8(1)) }
      try gens.openGroup("000001").setAttribute("best_index", Int64(999))
      try gens.openGroup("000000").setAttribute("champion_index", Int64(-5))
      try f.close()
    }
    let reader = try ArchiveReader(path: path)
    #expect(reader.completeGenerations == [0, 1])
    for (g, needle) in [(0, "champion 0/-5"), (1, "best genome 999")] {
      #expect { _ = try reader.summary(g) } throws: { "\($0)".contains(needle) }
    }
  }

  /// A group's links are listed once each, in name order, whether HDF5 keeps them in the
  /// group's header (a few) or in a separate index (many, like a long run's generations).
  /// Every dataset of a generation names its axes through dimension scales (docs/hdf5-schema.md),
  /// and a copy into another file (what `wann experiment merge` does) names them again, pointing
  /// into the new file: object references are addresses, copied as bytes they would point into
  /// the old one.
  @Test func datasetsNameTheirAxesAndCopiesNameThemAgain() throws {
    let path = Self.tempPath("run.h5")
    _ = try Self.write(path, config: Self.config(2))
    let source = try H5File(path: path, mode: .readOnly)
    let generation = try source.openGroup("generations").openGroup("000001")
    let expected: [String: [String]] = [
      "rewards": ["genome", "repetition", "weights"], "genomes": ["genome"], "nodes": ["node"],
      "connections": ["connection"], "episode_streams": ["repetition"],
    ]
    for (name, axes) in expected { #expect(try generation.dimensionNames(of: name) == axes, "\(name)") }
    #expect(try generation.dimensionNames(of: "weights") == nil)  // a coordinate: it is the scale
    let copyPath = Self.tempPath("copy.h5")
    let copy = try H5File(path: copyPath, mode: .create)
    let holder = try copy.createGroup("holder")  // another address for everything copied
    try source.openGroup("generations").copy("000001", to: holder, as: "000001")
    try copy.close()
    let reread = try H5File(path: copyPath, mode: .readOnly)
    let copied = try reread.openGroup("holder").openGroup("000001")
    for (name, axes) in expected { #expect(try copied.dimensionNames(of: name) == axes, "\(name)") }
    let rewards = H5Location(try copied.openDataset("rewards"), path: "/holder/000001/rewards")
    #expect(try rewards.stringAttribute("description").hasPrefix("total reward"))
  }

  @Test(arguments: [3, 300])
  func childrenListsEveryLinkInNameOrder(_ count: Int) throws {
    let f = try H5File(path: Self.tempPath("links.h5"), mode: .create)
    let group = try f.createGroup("g")
    let names = (0..<count).map { String(format: "%06d", $0) } + ["b", "a", "z"]
    for name in names.reversed() { _ = try group.createGroup(name) }  // created out of name order
    #expect(try group.children() == names.sorted())
    #expect(try f.children() == ["g"])
    try f.close()
  }

  @Test func hdf5ErrorsCarryTheLibraryStack() throws {
    let path = Self.tempPath("x.h5")
    let f = try H5File(path: path, mode: .create)
    do {
      _ = try f.openDataset("nope")
      Issue.record("no error")
    } catch let e as HDF5Error {
      #expect(e.description.contains("nope"))
    }
    do {
      _ = try f.createGroup("a")
      _ = try f.createGroup("a")
      Issue.record("no error")
    } catch let e as HDF5Error {
      #expect(!e.stack.isEmpty, "the HDF5 error stack should explain the failure")
    }
  }
}
