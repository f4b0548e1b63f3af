import Foundation
import WANNArchive
import WANNCore
import WANNTasks

/// One condition of a comparison: a search space and its name.
public struct ComparisonCondition: Sendable, Equatable {
  public let name: String
  public let space: SearchSpace

  public static let all: [ComparisonCondition] = [
    ComparisonCondition(name: "feedForward", space: .feedForward),
    ComparisonCondition(name: "recurrent", space: SearchSpace(recurrent: true)),
    ComparisonCondition(name: "outputToOutput", space: SearchSpace(outputToOutput: true)),
    ComparisonCondition(name: "both", space: SearchSpace(recurrent: true, outputToOutput: true)),
  ]

  public static func named(_ name: String) -> ComparisonCondition? {
    let aliases = ["ff": "feedForward", "o2o": "outputToOutput", "recurrent+outputToOutput": "both"]
    let n = aliases[name] ?? name
    return all.first { $0.name == n }
  }
}

/// The final scores of a comparison and its rank tests.
public struct SpaceComparison: Sendable, Codable, Equatable {
  public struct Row: Sendable, Codable, Equatable {
    public var condition: String
    public var runs: Int
    public var mean: Double
    public var ci95: Double
    public var median: Double
    public var scores: [Double]
  }
  /// One pair of conditions: the Mann-Whitney U test, its p corrected for all pairs (Holm),
  /// and two effect sizes, Cliff's delta and the median difference (a minus b) with its 95%
  /// bootstrap interval.
  public struct Test: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var u: Double
    public var p: Double
    public var pHolm: Double
    public var cliffsDelta: Double
    public var medianDifference: Double
    public var medianDifferenceCI95: [Double]
  }
  public var task: String
  public var generations: Int
  public var population: Int
  public var trials: Int
  public var rows: [Row]
  public var tests: [Test]

  public init(task: String, generations: Int, population: Int, trials: Int, scores: [(String, [Double])]) {
    self.task = task
    self.generations = generations
    self.population = population
    self.trials = trials
    rows = scores.map { name, s in
      let ci = Statistics.confidenceInterval95(s)
      return Row(
        condition: name, runs: s.count, mean: ci.mean, ci95: ci.halfWidth, median: Statistics.median(s), scores: s)
    }
    var tests: [Test] = []
    for i in scores.indices {
      for j in scores.indices where j > i {
        let (a, b) = (scores[i].1, scores[j].1)
        let (u, p) = Statistics.mannWhitneyU(a, b)
        let d = Statistics.medianDifference(a, b, stream: tests.count)
        tests.append(
          Test(
            a: scores[i].0, b: scores[j].0, u: u, p: p, pHolm: p, cliffsDelta: Statistics.cliffsDelta(a, b),
            medianDifference: d.difference, medianDifferenceCI95: [d.low, d.high]))
      }
    }
    for (k, q) in Statistics.holm(tests.map(\.p)).enumerated() { tests[k].pHolm = q }
    self.tests = tests
  }
}

extension SpaceComparison {
  /// One finished run of a comparison, as reported while it runs.
  public struct RunReport: Sendable {
    public let name: String
    public let score: Double
    public let elapsed: Double
  }

  /// What a comparison run ended with: the whole table, or (a shard, or a grid with runs still
  /// missing) how far the archive has got.
  public enum Outcome {
    case finished(SpaceComparison)
    case partial(done: Int, total: Int)
  }

  /// The runs of a comparison in grid order: condition by condition, seeds 1...N.
  static func runs(base: SearchConfig, conditions: [ComparisonCondition], seeds: [UInt64]) -> [(
    name: String, config: SearchConfig
  )] {
    conditions.flatMap { condition in
      seeds.map { seed in
        var c = base
        c.seed = seed
        // The condition sets which links may exist; how disabled genes are expressed stays the
        // base config's.
        c.searchSpace.recurrent = condition.space.recurrent
        c.searchSpace.outputToOutput = condition.space.outputToOutput
        return ("\(condition.name)-s\(seed)", c)
      }
    }
  }

  /// Runs one search per condition and seed with the same base config (the same budget) into
  /// one comparison archive, scores each run's final champion on the same `trials` episodes per
  /// weight (stored with the run), and once every run is done stores the table and the rank
  /// tests. An existing archive is continued (runs done are kept) unless `force`; `shard` runs
  /// only its share of the runs (merge the shards with `GridMerge`). `evaluator` evaluates the
  /// searches; the final scoring runs on `threads` local threads.
  public static func run(
    base: SearchConfig, conditions: [ComparisonCondition], seeds: Int, trials: Int, archivePath: String,
    force: Bool, shard: GridShard = .whole, evaluator: any GenerationEvaluator, threads: Int,
    onContinue: (_ done: Int, _ toRun: Int) -> Void = { _, _ in },
    onRun: (RunReport) -> Void = { _ in }
  ) throws -> Outcome {
    let task = try Tasks.make(base.task, batchSize: base.evaluation.batchSize)
    let seedList = (1...seeds).map { UInt64($0) }
    let all = runs(base: base, conditions: conditions, seeds: seedList)
    var baseStored = base
    baseStored.seed = 0
    baseStored.searchSpace.recurrent = false
    baseStored.searchSpace.outputToOutput = false
    let (writer, done, continued) = try GridArchive.open(
      path: archivePath, force: force, kind: .comparison, shard: shard,
      wanted: Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.config) }),
      create: {
        try MultiRunWriter(
          creating: archivePath, task: base.task, conditions: conditions.map(\.name), seeds: seedList,
          baseConfigTOML: baseStored.tomlText, trials: trials, shard: shard.stored, force: force)
      },
      summary: { try $0.comparisonScore() })
    var scores = done
    let mine = all.indices.filter { shard.owns(position: $0) && done[all[$0].name] == nil }
    if continued {
      try writer.setComparisonGrid(conditions: conditions.map(\.name), seeds: seedList)
      onContinue(done.count, mine.count)
    }
    let clock = ContinuousClock()
    let start = clock.now
    do {
      for index in mine {
        let (name, config) = all[index]
        try writer.removeRun(named: name)
        let (archive, champion) = try SearchSession.runWhole(
          name, in: writer, config: config, task: task, evaluator: evaluator)
        var score = Double.nan
        let weights = config.evaluation.weights
        var weightMeans = [Double](repeating: .nan, count: weights.count)
        if let champion {
          let (rewards, _) = ParallelEvaluator(threads: threads).evaluate(
            task: task, networks: [try Network(champion.genome)], weights: weights, repetitions: trials,
            episodes: EpisodeKey(seed: 0, purpose: .evaluation))
          score = Statistics.mean(rewards.values)
          weightMeans = weights.indices.map { w in
            Statistics.mean((0..<trials).map { rewards[genome: 0, repetition: $0, weight: w] })
          }
        }
        try archive.writeEvaluation { e in
          try e.set("kind", "comparison score")
          try e.set("score", score)
          try e.set("trials", Int64(trials))
          try e.set(
            "description",
            "mean reward of the final champion over trials x weights on common episodes (seed 0, purpose evaluation)")
          // Per weight too, so a report can read the champion at its best shared weight (the way
          // POPGym's MMER reads a policy: `wann experiment report --score best-weight`).
          try e.write(
            "weights", weights, shape: [weights.count], compress: false,
            .init("the shared weight values the champion was scored at", axes: ["weights"]))
          try e.write(
            "weight_means", weightMeans, shape: [weightMeans.count], compress: false,
            .init("the champion's mean reward over the trials at each shared weight", axes: ["weights"]))
        }
        scores[name] = score
        onRun(RunReport(name: name, score: score, elapsed: (clock.now - start).inSeconds))
      }
      guard all.allSatisfy({ scores[$0.name] != nil }) else {
        try writer.close()
        return .partial(done: scores.count, total: all.count)
      }
      try writer.removeComparisonTable()
      let result = try storeTable(
        in: writer, task: base.task, conditions: conditions.map(\.name), seeds: seedList, scores: scores,
        generations: base.generations, population: base.population.size, trials: trials)
      try writer.close()
      return .finished(result)
    } catch {
      try? writer.close()
      throw error
    }
  }

  /// Computes the table and tests from every run's score (name -> score) and stores them as the
  /// archive's /comparison group.
  @discardableResult
  static func storeTable(
    in writer: MultiRunWriter, task: TaskKind, conditions: [String], seeds: [UInt64], scores: [String: Double],
    generations: Int, population: Int, trials: Int
  ) throws -> SpaceComparison {
    let table = conditions.map { c in (c, seeds.map { scores["\(c)-s\($0)"] ?? .nan }) }
    let result = SpaceComparison(
      task: task.rawValue, generations: generations, population: population, trials: trials, scores: table)
    let order = result.rows.map(\.condition)
    try writer.finishComparison(
      conditions: order, scores: result.rows.map(\.scores),
      runNames: conditions.flatMap { c in seeds.map { "\(c)-s\($0)" } }, trials: trials,
      tests: result.tests.map {
        MultiRunWriter.StoredTest(
          a: order.firstIndex(of: $0.a)!, b: order.firstIndex(of: $0.b)!, u: $0.u, p: $0.p, pHolm: $0.pHolm,
          cliffsDelta: $0.cliffsDelta,
          medianDifference: $0.medianDifference, medianDifferenceLow: $0.medianDifferenceCI95[0],
          medianDifferenceHigh: $0.medianDifferenceCI95[1])
      })
    return result
  }
}
