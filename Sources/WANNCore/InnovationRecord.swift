/// The run's source of new node ids and innovation numbers.
///
/// Within one generation the same structural change gets the same ids: two children that split
/// the same connection get the same new node and the same two innovations; two children that add
/// the same (source, target) link get the same innovation. Across generations ids only grow.
/// Only the two counters persist between generations (the per-generation memo starts empty), so
/// a run resumed at a generation boundary continues exactly.
public struct InnovationRecord: Sendable, Codable, Equatable {
  public private(set) var nextNodeID: Int32
  public private(set) var nextInnovation: Int64

  public struct Split: Sendable, Equatable {
    public let node: NodeID
    public let incoming: Innovation
    public let outgoing: Innovation
  }

  private var splits: [Innovation: Split] = [:]
  private var links: [Int64: Innovation] = [:]
  private var recurrentLinks: [Int64: Innovation] = [:]

  enum CodingKeys: String, CodingKey { case nextNodeID, nextInnovation }

  public init(nextNodeID: Int32, nextInnovation: Int64) {
    self.nextNodeID = nextNodeID
    self.nextInnovation = nextInnovation
  }

  /// Forget the per-generation memo: changes made from now on are new innovations.
  public mutating func beginGeneration() {
    splits.removeAll(keepingCapacity: true)
    links.removeAll(keepingCapacity: true)
    recurrentLinks.removeAll(keepingCapacity: true)
  }

  /// Ids for splitting `connection` with a new node.
  public mutating func split(_ connection: Innovation) -> Split {
    if let s = splits[connection] { return s }
    let s = Split(
      node: NodeID(nextNodeID), incoming: Innovation(nextInnovation), outgoing: Innovation(nextInnovation + 1))
    nextNodeID += 1
    nextInnovation += 2
    splits[connection] = s
    return s
  }

  /// Innovation for a new link from `source` to `target` (a recurrent link and a feed-forward
  /// link between the same nodes are different innovations).
  public mutating func link(from source: NodeID, to target: NodeID, recurrent: Bool = false) -> Innovation {
    let key = Int64(source.rawValue) << 32 | Int64(UInt32(bitPattern: target.rawValue))
    if let i = recurrent ? recurrentLinks[key] : links[key] { return i }
    let i = Innovation(nextInnovation)
    nextInnovation += 1
    if recurrent { recurrentLinks[key] = i } else { links[key] = i }
    return i
  }
}
