import WANNAnalysis
import WANNArchive
import WANNCore
import WANNTasks

/// Which genomes of a run an after-the-fact analysis covers (`wann profile --every N`,
/// `--generations LIST`): the champion the run reported at each chosen generation (or the
/// generation's best genome), each distinct genome once.
public enum GenerationChoice: Sendable, Equatable {
  case every(Int)
  case generations([Int])

  /// The chosen generations among a run's complete ones (`every` always includes the last).
  public func generations(complete: [Int], archive: String) throws -> [Int] {
    guard let last = complete.last else { throw ExperimentError("\(archive) has no complete generation to analyse") }
    switch self {
    case .every(let n):
      var chosen = complete.filter { $0 % n == 0 }
      if chosen.last != last { chosen.append(last) }
      return chosen
    case .generations(let list):
      for g in list where !complete.contains(g) {
        throw ExperimentError("generation \(g) is not a complete generation of \(archive) (complete: 0...\(last))")
      }
      return list
    }
  }

  /// The distinct genomes standing for the chosen generations, in order of first appearance,
  /// each with the generations it stands for and the genome itself.
  public func genomes(in reader: ArchiveReader, best: Bool) throws -> [ChosenGenome] {
    var order: [GenomeRef] = []
    var standsFor: [GenomeRef: [Int]] = [:]
    for g in try generations(complete: reader.completeGenerations, archive: reader.path) {
      let ref: GenomeRef
      if best {
        ref = GenomeRef(generation: g, index: try reader.bestIndex(generation: g))
      } else {
        guard let c = try reader.champion(asOf: g) else { continue }
        ref = c
      }
      if standsFor[ref] == nil { order.append(ref) }
      standsFor[ref, default: []].append(g)
    }
    return try order.map {
      ChosenGenome(
        ref: $0, genome: try reader.genome(generation: $0.generation, index: $0.index), standsFor: standsFor[$0]!)
    }
  }
}

/// A genome an after-the-fact analysis covers: where it is, the genome, and the chosen
/// generations it stands for (it was their champion, or their best genome).
public struct ChosenGenome: Sendable {
  public let ref: GenomeRef
  public let genome: Genome
  public let standsFor: [Int]
  public var generation: Int { ref.generation }
  public var index: Int { ref.index }
}

/// A weight profile of one genome, read back when an identical one is stored, else measured
/// (and stored when a store is given).
public struct ProfileOutcome: Sendable {
  public let profile: WeightProfile
  /// Where it is stored in the archive (nil when not stored).
  public let storedPath: String?
  /// True when it was read back rather than measured.
  public let reused: Bool

  public static func obtain(
    _ genome: Genome, generation: Int, index: Int, task: TaskKind, settings: WeightProfile.Settings,
    evaluator: ParallelEvaluator, store: AnalysisStore?
  ) throws -> ProfileOutcome {
    if let store,
      let existing = try store.profiles(generation: generation, index: index).first(where: {
        $0.profile.settings == settings
      })
    {
      return ProfileOutcome(profile: existing.profile, storedPath: existing.path, reused: true)
    }
    let network: Network
    do { network = try Network(genome) } catch {
      throw ExperimentError("genome \(generation)/\(index) cannot be evaluated: \(error)")
    }
    let profile = WeightProfile.measure(network, task: try Tasks.make(task), settings: settings, evaluator: evaluator)
    let path = try store?.store(profile, generation: generation, index: index, task: task)
    return ProfileOutcome(profile: profile, storedPath: path, reused: false)
  }
}
