import Foundation
import Testing
import WANNAnalysis
import WANNCore
import WANNTasks
@testable import WANNArchive
@testable import WANNExperiments

@Suite struct AnalysisStoreTests {
  @Test func profilesAndConditionsRoundTripUnderTheirGenome() throws {
    let path = ArchiveTests.tempPath("analysis.h5")
    _ = try ArchiveTests.write(path, config: ArchiveTests.config())
    let reader = try ArchiveReader(path: path)
    let champion = try #require(try reader.champion())
    try reader.close()
    let store = try AnalysisStore(path: path)
    let net = try Network(champion.genome)
    let settings = WeightProfile.Settings(weights: [-1, 0.5, 2], trials: 4, seed: 9)
    let profile = WeightProfile.measure(
      net, task: SwingUpTask(), settings: settings, evaluator: ParallelEvaluator(threads: 2))
    let first = try store.store(profile, generation: champion.generation, index: champion.index, task: .swingup)
    let second = try store.store(profile, generation: champion.generation, index: champion.index, task: .swingup)
    #expect(
      first == "/analysis/" + ArchiveSchema.analysisName(generation: champion.generation, index: champion.index)
        + "/profiles/0")
    #expect(second.hasSuffix("/profiles/1"))
    let conditions = try WeightConditions.measure(
      net, task: SwingUpTask(),
      settings: .init(trials: 4, seed: 2, sharedGrid: [-1, 1], budget: 64, episodesPerCandidate: 1),
      evaluator: ParallelEvaluator(threads: 2))
    let stored = try store.store(conditions, generation: champion.generation, index: champion.index, task: .swingup)
    try store.close()

    // Read back through a fresh, read-only reader.
    let again = try ArchiveReader(path: path)
    let profiles = try again.profiles(generation: champion.generation, index: champion.index)
    #expect(profiles.map(\.path) == [first, second])
    #expect(profiles[0].profile == profile)
    let back = try again.storedConditions(generation: champion.generation, index: champion.index)
    #expect(back.count == 1 && back[0].path == stored)
    #expect(back[0].keys == conditions.conditions.map(\.key))
    #expect(back[0].means == conditions.conditions.map(\.mean))
    #expect(back[0].tunedSharedWeight == conditions.tunedSharedWeight)
    // Other genomes have nothing stored.
    #expect(try again.profiles(generation: 0, index: 0).isEmpty || champion.generation == 0 && champion.index == 0)
    // While a reader holds the file, it cannot be opened for writing in this process.
    #expect(throws: ArchiveError.self) { _ = try AnalysisStore(path: path) }
    try again.close()
  }

  /// A result group cut short (no `complete`) is ignored by readers and cleared by the next write.
  @Test func incompleteResultsAreIgnoredAndReplaced() throws {
    let path = ArchiveTests.tempPath("crash.h5")
    _ = try ArchiveTests.write(path, config: ArchiveTests.config(1))
    do {
      let file = try H5File(path: path, mode: .readWrite)
      let g = try file.createGroup("analysis").createGroup("000000-0")
      try g.setAttribute("generation", Int64(0))
      try g.setAttribute("index", Int64(0))
      _ = try g.createGroup("profiles").createGroup("0")  // no `complete`
      try file.close()
    }
    let store = try AnalysisStore(path: path)
    #expect(try store.profiles(generation: 0, index: 0).isEmpty)
    let p = WeightProfile(settings: .init(weights: [1], trials: 2, seed: 1), rewards: [1, 2])
    #expect(try store.store(p, generation: 0, index: 0, task: .swingup).hasSuffix("/profiles/0"))
    #expect(try store.profiles(generation: 0, index: 0).map(\.profile) == [p])
    try store.close()
  }

  @Test func championAsOfEachGenerationFollowsTheRun() throws {
    let path = ArchiveTests.tempPath("asof.h5")
    let results = try ArchiveTests.write(path, config: ArchiveTests.config(3))
    let reader = try ArchiveReader(path: path)
    for r in results {
      let c = try #require(try reader.champion(asOf: r.summary.generation))
      #expect(c.generation == r.champion?.generation && c.index == r.champion?.index)
      #expect(try reader.bestIndex(generation: r.summary.generation) == r.assessment.best)
    }
  }
}
