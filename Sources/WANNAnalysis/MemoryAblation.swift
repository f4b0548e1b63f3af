import WANNCore
import WANNTasks

/// How a recurrent network remembers. A WANN's only memory is its recurrent links: each delivers
/// its source's value from the previous step (zero at an episode's start), so a network whose
/// recurrent links are cut sees only the present observation. This cuts them, all at once and
/// one at a time, and scores every variant on the same episodes as the intact network (common
/// random numbers, purpose `.evaluation`), so each difference is the link's own effect and not
/// episode noise.
///
/// Cutting a link removes its gene (disabling it would not do: under the `active` rule for
/// disabled hidden links a disabled gene between hidden nodes is still expressed); the rest of
/// the network (nodes, feed-forward links, activations) is untouched. Output-to-output links are not memory (they carry the same step's
/// value) and are left in place.
public struct MemoryAblation: Sendable {
  public struct Settings: Sendable, Equatable {
    public var weights: [Double]
    public var trials: Int
    public var seed: UInt64
    public init(weights: [Double] = [-2, -1, -0.5, 0.5, 1, 2], trials: Int = 100, seed: UInt64 = 1) {
      self.weights = weights
      self.trials = trials
      self.seed = seed
    }
  }

  /// One network variant's scores.
  public struct Variant: Sendable, Equatable {
    /// The recurrent links this variant lacks (none: the intact network).
    public let cut: [Innovation]
    /// Mean reward per shared weight (in `Settings.weights` order) over the trials.
    public let weightMeans: [Double]
    /// Mean over the weights: the search's own reading of a network's reward.
    public var mean: Double { Statistics.mean(weightMeans) }
    /// The best shared weight's mean: how POPGym's MMER reads a trained policy (its best).
    public var best: Double { weightMeans.max() ?? .nan }
    public var bestWeightIndex: Int { weightMeans.indices.max { weightMeans[$0] < weightMeans[$1] } ?? 0 }
  }

  public let settings: Settings
  /// The recurrent genes the expressed network contains, in gene order.
  public let links: [ConnectionGene]
  public let intact: Variant
  /// Every recurrent link cut: the network as a memoryless policy (nil without recurrent links).
  public let allCut: Variant?
  /// One variant per link of `links`, that link alone cut.
  public let single: [Variant]

  /// The genome without the given recurrent genes (other genes named are kept).
  public static func cutting(_ innovations: Set<Innovation>, from genome: Genome) -> Genome {
    var g = genome
    g.connections.removeAll { $0.isRecurrent && innovations.contains($0.innovation) }
    return g
  }

  /// Scores the intact network, the network without any recurrent link and one variant per
  /// recurrent link, all on the same `settings.trials` episodes per weight.
  public static func measure(
    _ genome: Genome, task: any WANNTask, settings: Settings,
    evaluator: ParallelEvaluator
  ) throws -> MemoryAblation {
    let links = genome.activeConnections.filter(\.isRecurrent)
    var variants: [[Innovation]] = [[]]
    if !links.isEmpty {
      variants.append(links.map(\.innovation))
      if links.count > 1 { variants += links.map { [$0.innovation] } }
    }
    let networks = try variants.map { try Network(cutting(Set($0), from: genome)) }
    let (rewards, _) = evaluator.evaluate(
      task: task, networks: networks, weights: settings.weights, repetitions: settings.trials,
      episodes: EpisodeKey(seed: settings.seed, purpose: .evaluation))
    let scored = variants.indices.map { v in
      Variant(
        cut: variants[v],
        weightMeans: settings.weights.indices.map { w in
          Statistics.mean((0..<settings.trials).map { rewards[genome: v, repetition: $0, weight: w] })
        })
    }
    let allCut = scored.count > 1 ? scored[1] : nil
    // With a single link, cutting it alone is cutting them all.
    let single = links.count > 1 ? Array(scored.dropFirst(2)) : (allCut.map { [$0] } ?? [])
    return MemoryAblation(settings: settings, links: links, intact: scored[0], allCut: allCut, single: single)
  }
}
