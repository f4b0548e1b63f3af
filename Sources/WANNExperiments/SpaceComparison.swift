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
  public struct Test: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var u: Double
    public var p: Double
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
      return Row(condition: name, runs: s.count, mean: ci.mean, ci95: ci.halfWidth, median: Statistics.median(s), scores: s)
    }
    var tests: [Test] = []
    for i in scores.indices {
      for j in scores.indices where j > i {
        let (u, p) = Statistics.mannWhitneyU(scores[i].1, scores[j].1)
        tests.append(Test(a: scores[i].0, b: scores[j].0, u: u, p: p))
      }
    }
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

  /// Runs one search per condition and seed with the same base config (the same budget) into
  /// one comparison archive, scores each run's final champion on the same `trials` episodes per
  /// weight, and stores the table and the rank tests. `evaluator` evaluates the searches; the
  /// final scoring runs on `threads` local threads.
  public static func run(base: SearchConfig, conditions: [ComparisonCondition], seeds: Int, trials: Int, archivePath: String,
                         force: Bool, evaluator: any GenerationEvaluator, threads: Int,
                         onRun: (RunReport) -> Void = { _ in }) throws -> (result: SpaceComparison, runNames: [[String]]) {
    let task = try Tasks.make(base.task, batchSize: base.evaluation.batchSize)
    let seedList = (1...seeds).map { UInt64($0) }
    let writer = try MultiRunWriter(creating: archivePath, task: base.task, conditions: conditions.map(\.name), seeds: seedList, force: force)
    var scores: [(String, [Double])] = []
    var names: [[String]] = []
    let clock = ContinuousClock()
    let start = clock.now
    for condition in conditions {
      var conditionScores: [Double] = [], conditionNames: [String] = []
      for seed in seedList {
        var c = base
        c.seed = seed
        // The condition sets which links may exist; how disabled genes are expressed stays the
        // base config's.
        c.searchSpace.recurrent = condition.space.recurrent
        c.searchSpace.outputToOutput = condition.space.outputToOutput
        let name = "\(condition.name)-s\(seed)"
        var score = Double.nan
        if let champion = try SearchSession.runWhole(name, in: writer, config: c, task: task, evaluator: evaluator).champion {
          let (rewards, _) = ParallelEvaluator(threads: threads).evaluate(
            task: task, networks: [try Network(champion.genome)], weights: c.evaluation.weights, repetitions: trials,
            episodes: EpisodeKey(seed: 0, purpose: .evaluation))
          score = Statistics.mean(rewards.values)
        }
        conditionScores.append(score)
        conditionNames.append(name)
        onRun(RunReport(name: name, score: score, elapsed: (clock.now - start).inSeconds))
      }
      scores.append((condition.name, conditionScores))
      names.append(conditionNames)
    }
    let result = SpaceComparison(task: base.task.rawValue, generations: base.generations, population: base.population.size,
                                 trials: trials, scores: scores)
    let order = result.rows.map(\.condition)
    try writer.finishComparison(
      conditions: order, scores: result.rows.map(\.scores), runNames: names.flatMap { $0 }, trials: trials,
      tests: result.tests.map { MultiRunWriter.StoredTest(a: order.firstIndex(of: $0.a)!, b: order.firstIndex(of: $0.b)!, u: $0.u, p: $0.p) })
    try writer.close()
    return (result, names)
  }
}
