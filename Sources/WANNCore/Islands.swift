/// An island model's partition of a population: `population.islands` blocks of consecutive
/// genome indices, each ranked, culled and bred alone, so that a lineage that is slow to pay off
/// is not crowded out by the best of the whole population (the paper's populations collapse to a
/// few network sizes; docs/results.md). Every `population.migrationInterval` generations each
/// island's best `population.migrants` genomes move, unchanged, to the next island along a ring.
///
/// The blocks come from the config alone, never from threads, ranks or shards, so a run is the
/// same for any of them; and from the population's index order alone, so a resumed run finds
/// every genome's island again without storing it.
public struct Islands: Sendable, Equatable {
  /// Each island's genome indices: sizes differ by at most one, the larger ones last.
  public let ranges: [Range<Int>]

  public init(populationSize: Int, count: Int) {
    let k = max(1, min(count, populationSize))
    ranges = (0..<k).map { i in (i * populationSize / k)..<((i + 1) * populationSize / k) }
  }

  public var count: Int { ranges.count }

  /// The island genome `index` lives on.
  public func island(of index: Int) -> Int {
    ranges.firstIndex { $0.contains(index) } ?? 0
  }

  /// The island that sends its best to `island` at a migration: the previous one on the ring.
  public func source(of island: Int) -> Int { (island + count - 1) % count }

  /// Whether breeding generation `next` brings migrants (never with one island).
  public func migrate(breeding next: Int, interval: Int) -> Bool {
    count > 1 && interval > 0 && next % interval == 0
  }
}
