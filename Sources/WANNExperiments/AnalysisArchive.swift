import WANNAnalysis
import WANNArchive
import WANNCore

/// How the analysis results map onto the archive's result groups (`analysis/GGGGGG-I/KIND/N`,
/// docs/hdf5-schema.md): profiles, the paper's four conditions, classification reports.
public enum AnalysisKind: String, Sendable, CaseIterable {
  case profiles, conditions, classification
  /// The test battery of a genome (per-generation analysis, `wann battery`).
  case battery
}

/// Anything that stores analysis results of a run: the store (`wann profile`, `wann battery`
/// after a search) or the search's own writer (analysis while searching).
public protocol AnalysisSink {
  @discardableResult
  func newResult(_ kind: String, generation: Int, index: Int, _ body: (ResultWriter) throws -> Void) throws -> String
}
extension AnalysisStore: AnalysisSink {}
extension ArchiveWriter: AnalysisSink {}

/// Anything that holds stored results of a run (the read-only reader, or the store).
public protocol StoredResults {
  var path: String { get }
  func results(_ kind: String, generation: Int, index: Int) throws -> [StoredResult]
}
extension ArchiveReader: StoredResults {}
extension AnalysisStore: StoredResults {}

extension StoredResults {
  /// Profiles stored for a genome, oldest first, with their archive paths.
  public func profiles(generation: Int, index: Int) throws -> [(path: String, profile: WeightProfile)] {
    try results(AnalysisKind.profiles.rawValue, generation: generation, index: index).map { r in
      let weights = try r.doubles("weights")
      let settings = WeightProfile.Settings(
        weights: weights, trials: Int(try r.int64("trials")), seed: try r.uint64("seed"))
      let rewards = try r.doubles("rewards")
      guard rewards.count == settings.trials * weights.count else {
        throw ArchiveError.corrupt(
          archive: path,
          why: "profile \(r.path) has \(rewards.count) rewards, expected \(settings.trials) x \(weights.count)")
      }
      return (r.path, WeightProfile(settings: settings, rewards: rewards))
    }
  }

  /// Stored test batteries of a genome, oldest first: (path, settings signature, condition
  /// scores), and whether it was made while the search ran.
  public func storedBatteries(generation: Int, index: Int) throws -> [(
    path: String, settings: String, summary: [(String, Double)], duringSearch: Bool
  )] {
    try results(AnalysisKind.battery.rawValue, generation: generation, index: index).map { r in
      (r.path, (try? r.string("settings")) ?? "", try BatteryResult.summary(r), (try? r.int64("during_search")) == 1)
    }
  }

  /// Stored condition tables of a genome: (path, condition keys, means, tuned shared weight), oldest first.
  public func storedConditions(generation: Int, index: Int) throws -> [(
    path: String, keys: [String], means: [Double], tunedSharedWeight: Double
  )] {
    try results(AnalysisKind.conditions.rawValue, generation: generation, index: index).map { r in
      (
        r.path, try r.string("condition_keys").split(separator: ",").map(String.init), try r.column("summary", "mean"),
        try r.double("tuned_shared_weight")
      )
    }
  }
}

extension AnalysisSink {
  /// Stores a profile of genome `index` of generation `generation`; returns its archive path.
  /// `extra` adds attributes (what a per-generation analysis records about itself).
  @discardableResult
  public func store(
    _ p: WeightProfile, generation: Int, index: Int, task: TaskKind,
    extra: (ResultWriter) throws -> Void = { _ in }
  ) throws -> String {
    try newResult(AnalysisKind.profiles.rawValue, generation: generation, index: index) { g in
      try extra(g)
      try g.set("task", task.rawValue)
      try g.set("trials", Int64(p.trials))
      try g.set("seed", p.settings.seed)
      try g.set("ci", "95% confidence interval of the mean: mean +- ci95 (Student t, trials - 1 df)")
      try g.write(
        "weights", p.weights, shape: [p.weights.count], compress: false,
        .init("the shared weight values of the profile", axes: ["weights"]))
      try g.write(
        "rewards", p.rewards, shape: [p.trials, p.weights.count],
        .init(
          "every test episode's reward: trial x shared weight (trial t plays the same episode at every weight)",
          axes: ["trial", "weights"]))
      try g.set("rewards_axes", "trial,weight")
      try g.write(
        "mean", p.mean, shape: [p.weights.count], compress: false,
        .init("mean reward over the trials at each shared weight", axes: ["weights"]))
      try g.write(
        "std", p.std, shape: [p.weights.count], compress: false,
        .init("sample standard deviation (n - 1) of the reward over the trials", axes: ["weights"]))
      try g.write(
        "ci95", p.ciHalfWidth, shape: [p.weights.count], compress: false,
        .init("half width of the 95% confidence interval of the mean (Student t, trials - 1 df)", axes: ["weights"]))
    }
  }

  /// Stores the test battery of a genome (kind `battery`): the blocks as in an experiment's
  /// `evaluation` group, with the battery's settings (`settings`: the signature that identifies
  /// an identical battery; `trials`, `seed` 0).
  @discardableResult
  public func store(
    _ r: BatteryResult, battery: Experiment.Battery, seriesWeights: [Double] = [-2, -1, -0.5, 0.5, 1, 2],
    generation: Int, index: Int, task: TaskKind, extra: (ResultWriter) throws -> Void = { _ in }
  ) throws -> String {
    try newResult(AnalysisKind.battery.rawValue, generation: generation, index: index) { g in
      try extra(g)
      try g.set("task", task.rawValue)
      try g.set("trials", Int64(battery.trials))
      try g.set("seed", UInt64(0))
      try g.set("settings", battery.signature(seriesWeights: seriesWeights))
      try r.store(in: g, noiseSigmas: battery.noiseSigmas)
    }
  }

  /// Stores the paper's four conditions for a genome; returns the archive path.
  @discardableResult
  public func store(_ c: WeightConditions, generation: Int, index: Int, task: TaskKind) throws -> String {
    try newResult(AnalysisKind.conditions.rawValue, generation: generation, index: index) { g in
      let s = c.settings
      try g.set("task", task.rawValue)
      try g.set("trials", Int64(s.trials))
      try g.set("seed", s.seed)
      try g.set("low", s.low)
      try g.set("high", s.high)
      try g.set("budget", Int64(s.budget))
      try g.set("episodes_per_candidate", Int64(s.episodesPerCandidate))
      try g.set("initial_sigma", s.initialSigma)
      try g.set("optimiser", "separable CMA-ES (Ros & Hansen 2008), offsets from the tuned shared weight")
      try g.set("tuned_shared_weight", c.tunedSharedWeight)
      try g.set("condition_keys", c.conditions.map(\.key).joined(separator: ","))
      try g.set("condition_titles", c.conditions.map(\.title).joined(separator: ","))
      try g.write(
        "rewards", c.conditions.flatMap(\.rewards), shape: [c.conditions.count, s.trials],
        .init(
          "test-episode reward per condition (condition_keys order); every condition plays the same episodes",
          axes: ["condition", "trial"]))
      try g.set("rewards_axes", "condition,trial")
      try g.table(
        "summary",
        [
          .float64("mean", c.conditions.map(\.mean)), .float64("std", c.conditions.map(\.std)),
          .float64("ci95", c.conditions.map(\.ciHalfWidth)),
          .int32("trials", c.conditions.map { Int32($0.rewards.count) }),
        ], compress: false,
        .init(
          "per condition: mean, standard deviation, 95% interval half width and trials of the reward",
          axes: ["condition"]))
      try g.write(
        "shared_grid", s.sharedGrid, shape: [s.sharedGrid.count], compress: false,
        .init("the candidate shared weights tuned over", axes: ["shared_grid"]))
      try g.write(
        "shared_grid_means", c.sharedGridMeans, shape: [s.sharedGrid.count], compress: false,
        .init("mean reward of each candidate shared weight on the tuning episodes", axes: ["shared_grid"]))
      try g.write(
        "tuned_weights", c.tunedWeights, shape: [c.tunedWeights.count], compress: false,
        .init("the tuned individual weight of each connection (absolute value)", axes: ["connection"]))
      try g.write(
        "tuned_innovations", c.connectionInnovations.map(\.rawValue), shape: [c.connectionInnovations.count],
        compress: false,
        .init("innovation number of the connection each tuned weight belongs to", axes: ["connection"]))
      try g.table(
        "tuning",
        [
          .int64("rollouts", c.tuning.map { Int64($0.rollouts) }), .float64("mean_reward", c.tuning.map(\.meanReward)),
          .float64("best_reward", c.tuning.map(\.bestReward)), .float64("sigma", c.tuning.map(\.sigma)),
        ], compress: false,
        .init(
          "the optimiser's progress per generation: cumulative rollouts, mean and best reward of its candidates, step size",
          axes: ["tuning_generation"]))
      try g.set("steps", Int64(c.steps))
    }
  }

  /// Stores a classification report (`wann classify`) under the genome; returns its path.
  @discardableResult
  public func store(_ r: ClassificationReport, generation: Int, index: Int, task: TaskKind) throws -> String {
    try newResult(AnalysisKind.classification.rawValue, generation: generation, index: index) { g in
      let s = r.settings
      try g.set("task", task.rawValue)
      try g.set("seed", s.seed)
      try g.set("test_images", Int64(r.testCount))
      try g.set("ensemble_accuracy", r.ensembleAccuracy)
      try g.set(
        "ensemble_rule",
        "majority vote of the ensemble weights' predictions; ties to the highest summed softmax probability")
      try g.set("tuned_weight", r.tunedWeight)
      try g.set("tuned_rule", "the weight with the highest training accuracy")
      try g.set("tuned_test_accuracy", r.tunedTestAccuracy)
      try g.set("random_mean_accuracy", r.randomMean)
      try g.set("random_std_accuracy", r.randomStd)
      try g.write(
        "weights", s.weights, shape: [s.weights.count], compress: false,
        .init("the shared weight values of the table (also the tuning grid)", axes: ["weights"]))
      try g.write(
        "accuracy", r.accuracy, shape: [s.weights.count], compress: false,
        .init("test accuracy at each shared weight", axes: ["weights"], units: "1"))
      try g.write(
        "test_loss", r.testLoss, shape: [s.weights.count], compress: false,
        .init("mean cross-entropy (nats) of the test images at each shared weight", axes: ["weights"]))
      try g.write(
        "train_accuracy", r.trainAccuracy, shape: [s.weights.count], compress: false,
        .init("training accuracy at each shared weight", axes: ["weights"], units: "1"))
      try g.write(
        "per_digit", r.perDigit, shape: [s.weights.count, 10], compress: false,
        .init("test accuracy on each digit at each shared weight", axes: ["weights", "digit"], units: "1"))
      try g.set("per_digit_axes", "weight,digit")
      try g.write(
        "digit_counts", r.digitCounts.map(Int64.init), shape: [10], compress: false,
        .init("test images of each digit", axes: ["digit"]))
      try g.write(
        "ensemble_weights", s.ensembleWeights, shape: [s.ensembleWeights.count], compress: false,
        .init("the shared weights whose predictions the ensemble votes over", axes: ["ensemble_weights"]))
      try g.write(
        "ensemble_per_digit", r.ensemblePerDigit, shape: [10], compress: false,
        .init("the ensemble's test accuracy on each digit", axes: ["digit"], units: "1"))
      try g.write(
        "random_weights", r.randomWeights, shape: [r.randomWeights.count], compress: false,
        .init("shared weights drawn from U(-2, 2)", axes: ["random_weights"]))
      try g.write(
        "random_accuracy", r.randomAccuracy, shape: [r.randomAccuracy.count], compress: false,
        .init("test accuracy at each random shared weight", axes: ["random_weights"], units: "1"))
    }
  }
}
