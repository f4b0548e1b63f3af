import WANNArchive
import WANNCore
import WANNTasks

/// Every champion of an experiment faces the same test conditions, on the same episodes:
/// a shared-weight sweep, the fixed-weight neighbourhood, per-connection random weights, and
/// Gaussian noise around the paper's series at each noise level.
public struct BatteryResult: Sendable {
  public struct Block: Sendable {
    /// Dataset name, axis labels and shape, values (row-major).
    public let name: String
    public let axes: [String]
    public let shape: [Int]
    public let values: [Double]
    /// Values of the weight axis, when there is one.
    public let weights: [Double]
    /// What the values are, in a line (stored as the dataset's description).
    public let about: String
  }
  public let blocks: [Block]
  /// One score per test condition: the mean reward under it.
  public let conditions: [(name: String, score: Double)]
}

extension Experiment.Battery {
  /// Scores `network` under every condition; episodes come from a fixed key, so every run of an
  /// experiment is tested on the same episodes.
  public func evaluate(
    _ network: Network, task: any WANNTask, evaluator: ParallelEvaluator,
    seriesWeights: [Double]
  ) -> BatteryResult {
    evaluate(network, genome: nil, task: task, evaluator: evaluator, seriesWeights: seriesWeights)
  }

  /// The same on any evaluator (MPI ranks under mpirun; they need the genome to ship).
  public func evaluate(
    _ network: Network, genome: Genome?, task: any WANNTask, evaluator: any GenerationEvaluator,
    seriesWeights: [Double]
  ) -> BatteryResult {
    let key = EpisodeKey(seed: 0, purpose: .evaluation)
    let genomes = genome.map { [$0] } ?? []
    func run(_ mode: WeightMode, _ reps: Int) -> RewardMatrix {
      evaluator.evaluate(
        task: task, genomes: genomes, networks: [network], mode: mode, repetitions: reps, episodes: key
      ).rewards
    }
    var blocks: [BatteryResult.Block] = []
    var conditions: [(String, Double)] = []
    let sweepM = run(.sharedSeries(sweep), trials)
    blocks.append(
      .init(
        name: "sweep", axes: ["trial", "weight"], shape: [trials, sweep.count], values: sweepM.values, weights: sweep,
        about: "reward per trial at each shared weight of the sweep"))
    conditions.append(("sweep mean", Statistics.mean(sweepM.values)))
    let fixedM = run(.sharedSeries(fixed), trials)
    blocks.append(
      .init(
        name: "fixed", axes: ["trial", "weight"], shape: [trials, fixed.count], values: fixedM.values, weights: fixed,
        about: "reward per trial at each fixed shared weight"))
    for (i, w) in fixed.enumerated() {
      conditions.append(("w=\(w)", Statistics.mean((0..<trials).map { fixedM[genome: 0, repetition: $0, weight: i] })))
    }
    let randomM = run(.perConnectionRandom(low: -2, high: 2, draws: 1), randomDraws)
    blocks.append(
      .init(
        name: "random", axes: ["draw"], shape: [randomDraws], values: randomM.values, weights: [],
        about: "reward of each draw of per-connection random weights from U(-2, 2)"))
    conditions.append(("random U(-2,2)", Statistics.mean(randomM.values)))
    var noiseValues: [Double] = []
    for sigma in noiseSigmas {
      let m = run(.gaussianNoise(seriesWeights, sigma: sigma), trials)
      noiseValues += m.values
      conditions.append(("noise \(sigma)", Statistics.mean(m.values)))
    }
    blocks.append(
      .init(
        name: "noise", axes: ["sigma", "trial", "weight"], shape: [noiseSigmas.count, trials, seriesWeights.count],
        values: noiseValues, weights: seriesWeights,
        about:
          "reward per noise level, trial and series weight, with Gaussian noise of that sigma on every connection's weight"
      ))
    return BatteryResult(blocks: blocks, conditions: conditions)
  }
}

extension Experiment.Battery {
  /// The battery of the per-generation analysis (`[analysis]`): its sweep is the profile's grid.
  public init(analysis a: AnalysisConfig = AnalysisConfig()) {
    trials = a.batteryTrials
    sweep = a.profileGrid
    fixed = a.batteryFixed
    randomDraws = a.batteryRandomDraws
    noiseSigmas = a.batteryNoiseSigmas
  }

  /// Rollouts one battery takes.
  public func rollouts(seriesWeights: Int) -> Int {
    trials * sweep.count + trials * fixed.count + randomDraws + noiseSigmas.count * trials * seriesWeights
  }

  /// The settings as one string (stored with a battery, so an identical one is recognised).
  public func signature(seriesWeights: [Double]) -> String {
    "trials=\(trials) sweep=\(sweep) fixed=\(fixed) randomDraws=\(randomDraws) noiseSigmas=\(noiseSigmas) series=\(seriesWeights) seed=0"
  }
}

extension BatteryResult {
  /// Writes the battery into a run's `evaluation` group (or a genome's battery result): one
  /// dataset per block with its axis labels (and weight values), the noise levels, and a
  /// `summary` of one score per condition.
  func store(in g: ResultWriter, noiseSigmas: [Double]) throws {
    // Coordinates first: the blocks name them as their axes.
    try g.write(
      "noise_sigmas", noiseSigmas, shape: [noiseSigmas.count], compress: false,
      .init("the noise levels (standard deviation of the Gaussian noise on each weight)", axes: ["noise_sigmas"]))
    for block in blocks {
      let weightAxis = "\(block.name)_weights"
      if !block.weights.isEmpty {
        try g.write(
          weightAxis, block.weights, shape: [block.weights.count], compress: false,
          .init("the shared weight values of \(block.name)", axes: [weightAxis]))
      }
      let axes = block.axes.map { $0 == "weight" ? weightAxis : $0 == "sigma" ? "noise_sigmas" : $0 }
      try g.write(block.name, block.values, shape: block.shape, .init(block.about, axes: axes))
      try g.set("\(block.name)_axes", block.axes.joined(separator: ","))
    }
    try g.set("condition_names", conditions.map(\.name).joined(separator: ";"))
    try g.write(
      "summary", conditions.map(\.score), shape: [conditions.count], compress: false,
      .init("mean reward under each test condition (condition_names order)", axes: ["condition"]))
  }

  /// The (condition, score) summary of a stored battery.
  static func summary(_ r: StoredResult) throws -> [(String, Double)] {
    let names = try r.string("condition_names").split(separator: ";").map(String.init)
    return Array(zip(names, try r.doubles("summary")))
  }
}

extension ArchiveReader {
  /// The run's test battery scores (condition, mean reward), if it was stored completely.
  public func batterySummary() throws -> [(String, Double)]? {
    try evaluation().map(BatteryResult.summary)
  }
}
