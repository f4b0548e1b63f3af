import WANNArchive
import WANNCore

/// The `--json` output of `wann inspect`.
public struct InspectReport: Codable, Sendable {
  public var path: String
  public var format: String
  public var formatVersion: Int64
  public var softwareVersion: String?
  public var task: String
  public var seed: UInt64
  public var host: String?
  public var startTime: String?
  public var endTime: String?
  public var configTOML: String
  public var completeGenerations: Int
  public var incompleteGenerations: [Int]
  public var champion: ChampionInfo?
  public var generations: [GenerationSummary]
  /// What analysis the run holds under its genomes.
  public var analysis: AnalysisInfo

  public struct AnalysisInfo: Codable, Sendable {
    /// Genomes with any stored result.
    public var genomes: Int
    /// Results of each kind (profiles, battery, conditions, classification).
    public var results: [String: Int]
    /// Results made by the search itself (`[analysis]`), the generations they were made at, and
    /// the rollouts they took.
    public var duringSearch: Int
    public var duringSearchGenerations: [Int]
    public var duringSearchRollouts: Int
  }

  public struct ChampionInfo: Codable, Sendable {
    public var generation: Int
    public var index: Int
    public var retestMeanReward: Double
    public var searchMeanReward: Double
    public var connections: Int
    public var nodes: Int
    public var reference: String
  }
}

/// What `wann inspect` shows of one run: the report (its `--json` document) and two settings the
/// text adds.
public struct RunOverview: Sendable {
  public let report: InspectReport
  public let populationSize: Int
  /// The generations the run was started (or last resumed) to reach.
  public let plannedGenerations: Int

  /// Reads a run archive's overview.
  public static func read(_ archive: String) throws -> RunOverview {
    // Everything is read in one unit, started again from a fresh open if a live search's flush
    // gets in the way (its analysis results keep arriving under /analysis).
    let (report, populationSize, planned) = try ArchiveReader.reading(archive) { reader in
      let summaries = try reader.completeGenerations.map { try reader.summary($0) }
      let champion = try reader.champion().map {
        InspectReport.ChampionInfo(
          generation: $0.generation, index: $0.index, retestMeanReward: $0.retestMean,
          searchMeanReward: $0.searchMean, connections: $0.genome.activeConnectionCount,
          nodes: $0.genome.nodes.count, reference: "\(archive)#\($0.generation)/\($0.index)")
      }
      let report = InspectReport(
        path: archive, format: ArchiveSchema.format, formatVersion: reader.formatVersion,
        softwareVersion: reader.rootString("software_version"), task: reader.task.rawValue, seed: reader.config.seed,
        host: reader.rootString("host"), startTime: reader.rootString("start_time"),
        endTime: reader.rootString("end_time"),
        configTOML: reader.config.tomlText, completeGenerations: summaries.count,
        incompleteGenerations: reader.incompleteGenerations, champion: champion, generations: summaries,
        analysis: try Self.analysisInfo(reader))
      return (report, reader.config.population.size, reader.generationsTarget)
    }
    return RunOverview(report: report, populationSize: populationSize, plannedGenerations: planned)
  }

  /// Counts the run's stored analysis results (and those the search made itself).
  static func analysisInfo(_ reader: ArchiveReader) throws -> InspectReport.AnalysisInfo {
    var info = InspectReport.AnalysisInfo(
      genomes: 0, results: [:], duringSearch: 0, duringSearchGenerations: [], duringSearchRollouts: 0)
    var generations = Set<Int>()
    let genomes = try reader.analysedGenomes()
    info.genomes = genomes.count
    for ref in genomes {
      for kind in AnalysisKind.allCases.map(\.rawValue) {
        let results = try reader.results(kind, generation: ref.generation, index: ref.index)
        if !results.isEmpty { info.results[kind, default: 0] += results.count }
        for r in results where (try? r.int64("during_search")) == 1 {
          info.duringSearch += 1
          info.duringSearchRollouts += Int((try? r.int64("rollouts")) ?? 0)
          if let at = try? r.int64("at_generation") { generations.insert(Int(at)) }
        }
      }
    }
    info.duringSearchGenerations = generations.sorted()
    return info
  }
}
