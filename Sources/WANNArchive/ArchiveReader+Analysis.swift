import Foundation
import WANNAnalysis
import WANNCore

/// Analysis results stored beside the run they analyse, under the genome they belong to:
/// `analysis/GGGGGG-I/profiles/N` and `analysis/GGGGGG-I/conditions/N` (N = 0, 1, ... in the
/// order they were made). Each result group is written once with `complete` = 1 last, like a
/// generation, so a crash mid-write leaves an ignorable group; nothing already stored is
/// replaced. Layout: docs/hdf5-schema.md.
extension ArchiveReader {
  public static let analysisGroup = "analysis"

  /// Name of a genome's analysis group.
  public static func analysisName(generation: Int, index: Int) -> String {
    String(format: "%06d-%d", generation, index)
  }

  /// The genome the run reported as its champion at the end of generation `g` (the champion so
  /// far), or nil before the first champion.
  public func champion(asOf g: Int) throws -> (generation: Int, index: Int)? {
    do {
      let group = try generationGroup(g)
      guard group.hasAttribute("champion_generation") else { return nil }
      return (Int(try group.attribute("champion_generation", as: Int64.self)),
              Int(try group.attribute("champion_index", as: Int64.self)))
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// The genome with the highest mean reward in generation `g`.
  public func bestIndex(generation g: Int) throws -> Int {
    do { return Int(try generationGroup(g).attribute("best_index", as: Int64.self)) } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// The archive path of result `key` of one kind for a genome.
  func resultPath(_ kind: String, generation: Int, index: Int, key: String) -> String {
    "/" + [runName.map { "\(file.runsGroupName)/\($0)" }, Self.analysisGroup, Self.analysisName(generation: generation, index: index),
           kind, key].compactMap { $0 }.joined(separator: "/")
  }

  /// Complete result groups of one kind ("profiles" or "conditions") of a genome, in order.
  func resultGroups(_ kind: String, generation: Int, index: Int) throws -> [(name: String, group: H5Group)] {
    let name = Self.analysisName(generation: generation, index: index)
    guard base.exists(Self.analysisGroup) else { return [] }
    let analysis = try base.openGroup(Self.analysisGroup)
    guard analysis.exists(name) else { return [] }
    let genome = try analysis.openGroup(name)
    guard genome.exists(kind) else { return [] }
    let parent = try genome.openGroup(kind)
    return try parent.children().compactMap { n in
      guard Int(n) != nil else { return nil }
      let g = try parent.openGroup(n)
      return g.hasAttribute("complete") ? (n, g) : nil
    }.sorted { Int($0.name)! < Int($1.name)! }
  }

  /// Opens (creating as needed) the folder for a new result of `kind` and returns it with its
  /// path; clears groups left incomplete by a crash.
  func newResultGroup(_ kind: String, generation: Int, index: Int) throws -> (H5Group, String) {
    guard isWritable else { throw ArchiveError.corrupt(path, "opened read-only; cannot store analysis results") }
    let name = Self.analysisName(generation: generation, index: index)
    let analysis = base.exists(Self.analysisGroup) ? try base.openGroup(Self.analysisGroup) : try base.createGroup(Self.analysisGroup)
    let genome: H5Group
    if analysis.exists(name) {
      genome = try analysis.openGroup(name)
    } else {
      genome = try analysis.createGroup(name)
      try genome.setAttribute("generation", Int64(generation))
      try genome.setAttribute("index", Int64(index))
    }
    let parent = genome.exists(kind) ? try genome.openGroup(kind) : try genome.createGroup(kind)
    var next = 0
    for n in try parent.children() {
      guard let k = Int(n) else { continue }
      if !(try parent.openGroup(n)).hasAttribute("complete") { try parent.delete(n); continue }
      next = max(next, k + 1)
    }
    let key = String(next)
    let group = try parent.createGroup(key)
    try group.setAttribute("created", ArchiveWriter.timestamp())
    try group.setAttribute("software_version", WANNVersion.string)
    return (group, resultPath(kind, generation: generation, index: index, key: key))
  }

  // MARK: Profiles

  /// Profiles stored for a genome, oldest first, with their archive paths.
  public func profiles(generation: Int, index: Int) throws -> [(path: String, profile: WeightProfile)] {
    do {
      return try resultGroups("profiles", generation: generation, index: index).map { name, g in
        let weights: [Double] = try g.readArray("weights")
        let settings = WeightProfile.Settings(weights: weights, trials: Int(try g.attribute("trials", as: Int64.self)),
                                              seed: try g.attribute("seed", as: UInt64.self))
        let rewards: [Double] = try g.readArray("rewards")
        guard rewards.count == settings.trials * weights.count else {
          throw ArchiveError.corrupt(path, "profile \(name) of genome \(generation)/\(index) has \(rewards.count) rewards, expected \(settings.trials) x \(weights.count)")
        }
        return (resultPath("profiles", generation: generation, index: index, key: name), WeightProfile(settings: settings, rewards: rewards))
      }
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Stores a profile of genome `index` of generation `generation`; returns its archive path.
  @discardableResult
  public func store(_ p: WeightProfile, generation: Int, index: Int, task: TaskKind) throws -> String {
    do {
      let (g, location) = try newResultGroup("profiles", generation: generation, index: index)
      try g.setAttribute("task", task.rawValue)
      try g.setAttribute("trials", Int64(p.trials))
      try g.setAttribute("seed", p.settings.seed)
      try g.setAttribute("ci", "95% confidence interval of the mean: mean +- ci95 (Student t, trials - 1 df)")
      try g.writeArray("weights", p.weights, shape: [p.weights.count], compress: false)
      try g.writeArray("rewards", p.rewards, shape: [p.trials, p.weights.count])
      try g.setAttribute("rewards_axes", "trial,weight")
      try g.writeArray("mean", p.mean, shape: [p.weights.count], compress: false)
      try g.writeArray("std", p.std, shape: [p.weights.count], compress: false)
      try g.writeArray("ci95", p.ciHalfWidth, shape: [p.weights.count], compress: false)
      try g.setAttribute("complete", Int8(1))
      try file.flush()
      return location
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  // MARK: Conditions

  /// Stores the paper's four conditions for a genome; returns the archive path.
  @discardableResult
  public func store(_ c: WeightConditions, generation: Int, index: Int, task: TaskKind) throws -> String {
    do {
      let (g, location) = try newResultGroup("conditions", generation: generation, index: index)
      let s = c.settings
      try g.setAttribute("task", task.rawValue)
      try g.setAttribute("trials", Int64(s.trials))
      try g.setAttribute("seed", s.seed)
      try g.setAttribute("low", s.low)
      try g.setAttribute("high", s.high)
      try g.setAttribute("budget", Int64(s.budget))
      try g.setAttribute("episodes_per_candidate", Int64(s.episodesPerCandidate))
      try g.setAttribute("initial_sigma", s.initialSigma)
      try g.setAttribute("optimiser", "separable CMA-ES (Ros & Hansen 2008), offsets from the tuned shared weight")
      try g.setAttribute("tuned_shared_weight", c.tunedSharedWeight)
      try g.setAttribute("condition_keys", c.conditions.map(\.key).joined(separator: ","))
      try g.setAttribute("condition_titles", c.conditions.map(\.title).joined(separator: ","))
      try g.writeArray("rewards", c.conditions.flatMap(\.rewards), shape: [c.conditions.count, s.trials])
      try g.setAttribute("rewards_axes", "condition,trial")
      try g.writeTable("summary", [
        .float64("mean", c.conditions.map(\.mean)), .float64("std", c.conditions.map(\.std)),
        .float64("ci95", c.conditions.map(\.ciHalfWidth)), .int32("trials", c.conditions.map { Int32($0.rewards.count) }),
      ], compress: false)
      try g.writeArray("shared_grid", s.sharedGrid, shape: [s.sharedGrid.count], compress: false)
      try g.writeArray("shared_grid_means", c.sharedGridMeans, shape: [s.sharedGrid.count], compress: false)
      try g.writeArray("tuned_weights", c.tunedWeights, shape: [c.tunedWeights.count], compress: false)
      try g.writeArray("tuned_innovations", c.connectionInnovations.map(\.rawValue), shape: [c.connectionInnovations.count], compress: false)
      try g.writeTable("tuning", [
        .int64("rollouts", c.tuning.map { Int64($0.rollouts) }), .float64("mean_reward", c.tuning.map(\.meanReward)),
        .float64("best_reward", c.tuning.map(\.bestReward)), .float64("sigma", c.tuning.map(\.sigma)),
      ], compress: false)
      try g.setAttribute("steps", Int64(c.steps))
      try g.setAttribute("complete", Int8(1))
      try file.flush()
      return location
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Stored condition tables of a genome: (path, condition keys, means), oldest first.
  public func storedConditions(generation: Int, index: Int) throws -> [(path: String, keys: [String], means: [Double], tunedSharedWeight: Double)] {
    do {
      return try resultGroups("conditions", generation: generation, index: index).map { name, g in
        let keys = try g.stringAttribute("condition_keys").split(separator: ",").map(String.init)
        let means: [Double] = try g.readColumn("summary", "mean")
        return (resultPath("conditions", generation: generation, index: index, key: name), keys, means, try g.attribute("tuned_shared_weight"))
      }
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }
}

extension ArchiveReader {
  /// Stores a classification report (`wann classify`) under the genome; returns its path.
  @discardableResult
  public func store(_ r: ClassificationReport, generation: Int, index: Int, task: TaskKind) throws -> String {
    do {
      let (g, location) = try newResultGroup("classification", generation: generation, index: index)
      let s = r.settings
      try g.setAttribute("task", task.rawValue)
      try g.setAttribute("seed", s.seed)
      try g.setAttribute("test_images", Int64(r.testCount))
      try g.setAttribute("ensemble_accuracy", r.ensembleAccuracy)
      try g.setAttribute("ensemble_rule", "majority vote of the ensemble weights' predictions; ties to the highest summed softmax probability")
      try g.setAttribute("tuned_weight", r.tunedWeight)
      try g.setAttribute("tuned_rule", "the weight with the highest training accuracy")
      try g.setAttribute("tuned_test_accuracy", r.tunedTestAccuracy)
      try g.setAttribute("random_mean_accuracy", r.randomMean)
      try g.setAttribute("random_std_accuracy", r.randomStd)
      try g.writeArray("weights", s.weights, shape: [s.weights.count], compress: false)
      try g.writeArray("accuracy", r.accuracy, shape: [s.weights.count], compress: false)
      try g.writeArray("test_loss", r.testLoss, shape: [s.weights.count], compress: false)
      try g.writeArray("train_accuracy", r.trainAccuracy, shape: [s.weights.count], compress: false)
      try g.writeArray("per_digit", r.perDigit, shape: [s.weights.count, 10], compress: false)
      try g.setAttribute("per_digit_axes", "weight,digit")
      try g.writeArray("digit_counts", r.digitCounts.map(Int64.init), shape: [10], compress: false)
      try g.writeArray("ensemble_weights", s.ensembleWeights, shape: [s.ensembleWeights.count], compress: false)
      try g.writeArray("ensemble_per_digit", r.ensemblePerDigit, shape: [10], compress: false)
      try g.writeArray("random_weights", r.randomWeights, shape: [r.randomWeights.count], compress: false)
      try g.writeArray("random_accuracy", r.randomAccuracy, shape: [r.randomAccuracy.count], compress: false)
      try g.setAttribute("complete", Int8(1))
      try file.flush()
      return location
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }
}
