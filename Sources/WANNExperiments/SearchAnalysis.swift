import WANNAnalysis
import WANNArchive
import WANNCore
import WANNTasks

/// What `[analysis]` asks of a search as it runs: the weight profile and the test battery of the
/// champion of every N-th generation and of every generation where the champion changed (and,
/// optionally, of the generation's best genome), stored in the run's archive under the genome.
///
/// Why it never changes the search: its episodes come from keys of their own (the profile:
/// seed 1, purpose evaluation, as `wann profile`; the battery: seed 0, purpose evaluation, as
/// an experiment's battery), and every random stream of the search is keyed by (seed, purpose,
/// generation, genome, rollout), so nothing the search draws depends on what else was drawn.
/// Each distinct genome is analysed once per kind (a stored result with the same settings, also
/// one `wann profile` or `wann battery` made, stands for it).
///
/// The cost is bounded: a champion-change analysis is skipped when it would take the rollouts
/// spent so far past `budget` x (generation + 1); the every-N analyses always run. The spent
/// rollouts are read back from the archive on resume, so a resumed run decides as an
/// uninterrupted one would.
public struct SearchAnalysis {
  public let settings: AnalysisConfig
  let task: any WANNTask
  let taskKind: TaskKind
  /// The weights the battery's noise is added around: the run's evaluation weights.
  let seriesWeights: [Double]
  let evaluator: any GenerationEvaluator
  /// The battery the analysis runs (its sweep is the profile's grid).
  public let battery: Experiment.Battery
  public let profileSettings: WeightProfile.Settings
  /// Rollouts spent on analyses so far (during this search, across resumes).
  public private(set) var spent: Int

  /// The profile's episodes: `wann profile`'s default seed, so its stored profiles are reused.
  public static let profileSeed: UInt64 = 1

  public enum Kind: String, Sendable { case profile, battery }

  /// One analysis made (or skipped) at a generation.
  public struct Event: Sendable, Equatable {
    public let kind: Kind
    public let generation: Int
    public let genomeGeneration: Int
    public let genomeIndex: Int
    /// "every", "change" or "every+change".
    public let trigger: String
    public let role: String
    public let rollouts: Int
    /// false: skipped for the budget.
    public let made: Bool
  }

  public init(config: SearchConfig, task: any WANNTask, evaluator: any GenerationEvaluator, archive: ArchiveWriter?)
    throws
  {
    settings = config.analysis
    self.task = task
    taskKind = config.task
    seriesWeights = config.evaluation.weights
    self.evaluator = evaluator
    battery = Experiment.Battery(analysis: config.analysis)
    profileSettings = WeightProfile.Settings(
      weights: config.analysis.profileGrid, trials: config.analysis.profileTrials, seed: Self.profileSeed)
    var spent = 0
    if let archive, settings.isEnabled {
      for ref in try archive.analysedGenomes() {
        for kind in [AnalysisKind.profiles.rawValue, AnalysisKind.battery.rawValue] {
          for r in try archive.results(kind, generation: ref.generation, index: ref.index)
          where (try? r.int64("during_search")) == 1 {
            spent += Int(try r.int64("rollouts"))
          }
        }
      }
    }
    self.spent = spent
  }

  /// Rollouts one analysis of `kind` takes.
  public func cost(_ kind: Kind) -> Int {
    switch kind {
    case .profile: return profileSettings.weights.count * profileSettings.trials
    case .battery: return battery.rollouts(seriesWeights: seriesWeights.count)
    }
  }

  /// Analyses generation `generation` of the search, as `[analysis]` asks: `champion` is the
  /// champion as of the end of it (nil before the first), `best` the generation's best genome,
  /// `newChampion` whether the champion changed in it, `final` the generation the run ends with.
  /// Stores what it measures through `archive` and returns what it did.
  public mutating func analyse(
    generation g: Int, final: Int, newChampion: Bool, champion: (ref: GenomeRef, genome: Genome)?,
    best: (index: Int, genome: Genome), archive: ArchiveWriter
  ) throws -> [Event] {
    guard settings.isEnabled else { return [] }
    var events: [Event] = []
    for kind in [Kind.profile, .battery] {
      let every = kind == .profile ? settings.profileEvery : settings.batteryEvery
      guard every > 0 else { continue }
      let dueEvery = g % every == 0 || g == final
      let dueChange = settings.onChampionChange && newChampion
      guard dueEvery || dueChange else { continue }
      let trigger = dueEvery && dueChange ? "every+change" : (dueEvery ? "every" : "change")
      var subjects: [(role: String, ref: GenomeRef, genome: Genome)] = []
      if let c = champion { subjects.append(("champion", c.ref, c.genome)) }
      let bestRef = GenomeRef(generation: g, index: best.index)
      if settings.bestGenome && champion?.ref != bestRef {
        subjects.append(("best", bestRef, best.genome))
      }
      for (role, ref, genome) in subjects {
        let (sg, si) = (ref.generation, ref.index)
        if try isStored(kind, generation: sg, index: si, in: archive) { continue }
        let rollouts = cost(kind)
        if !dueEvery && spent + rollouts > settings.budget * (g + 1) {
          events.append(
            Event(
              kind: kind, generation: g, genomeGeneration: sg, genomeIndex: si, trigger: trigger, role: role,
              rollouts: rollouts, made: false))
          continue
        }
        let network: Network
        do { network = try Network(genome) } catch {
          throw ExperimentError("genome \(sg)/\(si) cannot be analysed: \(error)")
        }
        let mark = { (w: ResultWriter) throws in
          try w.set("during_search", Int8(1))
          try w.set("at_generation", Int64(g))
          try w.set("trigger", trigger)
          try w.set("role", role)
          try w.set("rollouts", Int64(rollouts))
        }
        switch kind {
        case .profile:
          let (m, _) = evaluator.evaluate(
            task: task, genomes: [genome], networks: [network], mode: .sharedSeries(profileSettings.weights),
            repetitions: profileSettings.trials,
            episodes: EpisodeKey(seed: profileSettings.seed, purpose: .evaluation))
          try archive.store(
            WeightProfile(settings: profileSettings, rewards: m.values), generation: sg, index: si, task: taskKind,
            extra: mark)
        case .battery:
          let result = battery.evaluate(
            network, genome: genome, task: task, evaluator: evaluator, seriesWeights: seriesWeights)
          try archive.store(
            result, battery: battery, seriesWeights: seriesWeights, generation: sg, index: si, task: taskKind,
            extra: mark)
        }
        spent += rollouts
        events.append(
          Event(
            kind: kind, generation: g, genomeGeneration: sg, genomeIndex: si, trigger: trigger, role: role,
            rollouts: rollouts, made: true))
      }
    }
    return events
  }

  /// Whether the genome already has this kind of result with these settings.
  func isStored(_ kind: Kind, generation: Int, index: Int, in archive: some StoredResults) throws -> Bool {
    switch kind {
    case .profile:
      return try archive.profiles(generation: generation, index: index).contains {
        $0.profile.settings == profileSettings
      }
    case .battery:
      let signature = battery.signature(seriesWeights: seriesWeights)
      return try archive.results(AnalysisKind.battery.rawValue, generation: generation, index: index)
        .contains { (try? $0.string("settings")) == signature }
    }
  }
}

extension ArchiveWriter: StoredResults {}
