/// Identifies a node within a run. Bias is 0, inputs 1...nIn, outputs follow, hidden nodes
/// get fresh ids from the run's innovation record.
public struct NodeID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public let rawValue: Int32
  public init(_ rawValue: Int32) { self.rawValue = rawValue }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "n\(rawValue)" }
  /// Reads a 64-bit number and checks it fits, so that an id out of range is named as such
  /// (decoding it as Int32 directly makes Foundation report "not valid JSON").
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    let wide = try c.decode(Int64.self)
    guard let id = Int32(exactly: wide), id >= 0 else {
      throw DecodingError.dataCorruptedError(
        in: c, debugDescription: "node id \(wide) is out of range (0...\(Int32.max))")
    }
    rawValue = id
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}

/// Historical marker of a connection gene (NEAT). The same structural change made in the same
/// generation gets the same innovation, so lineages stay comparable.
public struct Innovation: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  public let rawValue: Int64
  public init(_ rawValue: Int64) { self.rawValue = rawValue }
  public static func < (a: Innovation, b: Innovation) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "i\(rawValue)" }
  public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}

public enum NodeKind: String, Sendable, Codable, CaseIterable {
  case bias, input, hidden, output
}

public struct NodeGene: Hashable, Sendable, Codable {
  public let id: NodeID
  public let kind: NodeKind
  public var activation: Activation
  public init(id: NodeID, kind: NodeKind, activation: Activation) {
    self.id = id
    self.kind = kind
    self.activation = activation
  }
}

/// A connection carries no weight: every connection of a WANN takes the one shared weight of
/// the rollout. A recurrent connection delivers its source's value from the previous time step
/// (zero at the start of an episode); only recurrent search spaces make them.
public struct ConnectionGene: Hashable, Sendable, Codable {
  public let innovation: Innovation
  public let source: NodeID
  public let target: NodeID
  public var isEnabled: Bool
  public let isRecurrent: Bool

  public init(innovation: Innovation, source: NodeID, target: NodeID, isEnabled: Bool = true, isRecurrent: Bool = false)
  {
    self.innovation = innovation
    self.source = source
    self.target = target
    self.isEnabled = isEnabled
    self.isRecurrent = isRecurrent
  }

  enum CodingKeys: String, CodingKey { case innovation, source, target, isEnabled, isRecurrent }

  /// Genomes written before recurrence existed have no `isRecurrent`: they are feed-forward.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    innovation = try c.decode(Innovation.self, forKey: .innovation)
    source = try c.decode(NodeID.self, forKey: .source)
    target = try c.decode(NodeID.self, forKey: .target)
    isEnabled = try c.decode(Bool.self, forKey: .isEnabled)
    isRecurrent = try c.decodeIfPresent(Bool.self, forKey: .isRecurrent) ?? false
  }
}

/// A network topology. Nodes are kept in the order bias, inputs, outputs, hidden (by creation),
/// as in the original release; connections in the order they were added.
public struct Genome: Hashable, Sendable, Codable {
  public var nodes: [NodeGene]
  public var connections: [ConnectionGene]
  /// Whether disabled hidden-to-hidden genes stay in the expressed network (the run's
  /// `searchSpace.disabledHiddenLinks`). The genome carries it, so every place that turns a
  /// genome into a network or counts its connections (search, MPI workers, analysis of an
  /// archive, exported files) follows the rule its run used.
  public var disabledHiddenLinks: DisabledLinkRule

  public init(nodes: [NodeGene], connections: [ConnectionGene], disabledHiddenLinks: DisabledLinkRule = .inactive) {
    self.nodes = nodes
    self.connections = connections
    self.disabledHiddenLinks = disabledHiddenLinks
  }

  enum CodingKeys: String, CodingKey { case nodes, connections, disabledHiddenLinks }

  /// Genome files written before the rule existed (or under the default) have no
  /// `disabledHiddenLinks`: their disabled genes are inactive.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    nodes = try c.decode([NodeGene].self, forKey: .nodes)
    connections = try c.decode([ConnectionGene].self, forKey: .connections)
    disabledHiddenLinks = try c.decodeIfPresent(DisabledLinkRule.self, forKey: .disabledHiddenLinks) ?? .inactive
  }

  /// Writes the rule only when it is not the default, so genome files of default runs stay as
  /// they were.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(nodes, forKey: .nodes)
    try c.encode(connections, forKey: .connections)
    if disabledHiddenLinks != .inactive { try c.encode(disabledHiddenLinks, forKey: .disabledHiddenLinks) }
  }

  public var inputCount: Int { nodes.lazy.filter { $0.kind == .input }.count }
  public var outputCount: Int { nodes.lazy.filter { $0.kind == .output }.count }
  public var hiddenCount: Int { nodes.lazy.filter { $0.kind == .hidden }.count }

  /// The genes the expressed network contains: the enabled ones, and under
  /// `DisabledLinkRule.active` also the disabled ones between two hidden nodes.
  public var activeConnections: [ConnectionGene] {
    switch disabledHiddenLinks {
    case .inactive: return connections.filter(\.isEnabled)
    case .active:
      let hidden = sortedHiddenIDs
      return connections.filter { $0.isEnabled || Self.linksHidden($0, hidden) }
    }
  }

  /// Connections of the expressed network: the complexity objective of the search and the
  /// count every report gives (the original's `nConn`).
  public var activeConnectionCount: Int {
    switch disabledHiddenLinks {
    case .inactive: return connections.lazy.filter(\.isEnabled).count
    case .active:
      let hidden = sortedHiddenIDs
      return connections.lazy.filter { $0.isEnabled || Self.linksHidden($0, hidden) }.count
    }
  }

  /// The hidden nodes' ids, ascending. A sorted array searched in halves, not a `Set`: hashing
  /// every lookup made these two properties about a tenth of an MNIST generation (perf).
  private var sortedHiddenIDs: [Int32] {
    var ids: [Int32] = []
    for n in nodes where n.kind == .hidden { ids.append(n.id.rawValue) }
    ids.sort()
    return ids
  }

  /// Whether both ends of `c` are among `hidden` (sorted ids).
  private static func linksHidden(_ c: ConnectionGene, _ hidden: [Int32]) -> Bool {
    !hidden.isEmpty && sortedPosition(of: c.source.rawValue, in: hidden) != nil
      && sortedPosition(of: c.target.rawValue, in: hidden) != nil
  }

  /// The minimal genome of a task: bias, inputs and outputs with no connections.
  public static func bare(inputs: Int, outputs: Int) -> Genome {
    var nodes = [NodeGene(id: NodeID(0), kind: .bias, activation: .linear)]
    for i in 0..<inputs { nodes.append(NodeGene(id: NodeID(Int32(1 + i)), kind: .input, activation: .linear)) }
    for o in 0..<outputs {
      nodes.append(NodeGene(id: NodeID(Int32(1 + inputs + o)), kind: .output, activation: .linear))
    }
    return Genome(nodes: nodes, connections: [])
  }

  /// Index of each node id in `nodes`.
  public func nodeIndex() -> NodeIndex { NodeIndex(nodes) }

  /// Feed-forward layers over *all* connection genes, enabled or not: sources (bias, inputs) are
  /// layer 0, a hidden node lies one past its deepest hidden predecessor, outputs share the last
  /// layer. Returns nil if the genes contain a cycle or an edge into a source or out of an output.
  ///
  /// Why all genes: a disabled gene can be re-enabled later, so ordering by enabled genes alone
  /// (as the original does) could let add-connection create a cycle that re-enabling then closes.
  public func layers() -> [Int]? {
    let index = nodeIndex()
    var incoming = [[Int]](repeating: [], count: nodes.count)
    var outgoing = [[Int]](repeating: [], count: nodes.count)
    for c in connections where !c.isRecurrent {
      guard let s = index[c.source], let t = index[c.target] else { return nil }
      if nodes[t].kind == .bias || nodes[t].kind == .input || nodes[s].kind == .output { return nil }
      incoming[t].append(s)
      outgoing[s].append(t)
    }
    // Kahn's algorithm over hidden nodes; depth = longest path through hidden nodes.
    var depth = [Int](repeating: 0, count: nodes.count)
    var pending = [Int](repeating: 0, count: nodes.count)
    var queue: [Int] = []
    for i in nodes.indices where nodes[i].kind == .hidden {
      pending[i] = incoming[i].lazy.filter { nodes[$0].kind == .hidden }.count
      depth[i] = 1
      if pending[i] == 0 { queue.append(i) }
    }
    var head = 0
    var maxHidden = 0
    while head < queue.count {
      let i = queue[head]; head += 1
      maxHidden = max(maxHidden, depth[i])
      for t in outgoing[i] where nodes[t].kind == .hidden {
        depth[t] = max(depth[t], depth[i] + 1)
        pending[t] -= 1
        if pending[t] == 0 { queue.append(t) }
      }
    }
    if queue.count != hiddenCount { return nil }
    for i in nodes.indices where nodes[i].kind == .output { depth[i] = maxHidden + 1 }
    return depth
  }

  /// True when no sequence of connection genes (enabled or not) forms a cycle, no gene is
  /// recurrent, and no gene links outputs: the paper's search space.
  public var isFeedForward: Bool { layers() != nil && !connections.contains(where: \.isRecurrent) }

  /// True when the non-recurrent genes (enabled or not) form no cycle, whatever node kinds they
  /// link: the condition every search space keeps, so a network always has an evaluation order.
  public var isAcyclicWithoutRecurrentGenes: Bool {
    let index = nodeIndex()
    var outgoing = [[Int]](repeating: [], count: nodes.count)
    var indegree = [Int](repeating: 0, count: nodes.count)
    for c in connections where !c.isRecurrent {
      guard let s = index[c.source], let t = index[c.target] else { return false }
      outgoing[s].append(t)
      indegree[t] += 1
    }
    var queue = nodes.indices.filter { indegree[$0] == 0 }
    var head = 0
    while head < queue.count {
      let i = queue[head]; head += 1
      for t in outgoing[i] {
        indegree[t] -= 1
        if indegree[t] == 0 { queue.append(t) }
      }
    }
    return queue.count == nodes.count
  }

  /// Checks the structural invariants every genome keeps: unique node ids and innovations,
  /// connections between known nodes and never into the bias or an input, no duplicate
  /// (source, target) pair, outputs linear, non-recurrent genes acyclic, and only the kinds of
  /// links `space` allows (the paper's space: the original's feed-forward layer order).
  /// Returns a description of the first violation, or nil.
  public func invariantViolation(in space: SearchSpace = .feedForward) -> String? {
    if let v = commonViolation() { return v }
    if space.isFeedForward {
      return layers() == nil || connections.contains(where: \.isRecurrent) ? "connections are not feed-forward" : nil
    }
    let index = nodeIndex()
    for c in connections {
      let s = nodes[index[c.source]!], t = nodes[index[c.target]!]
      if t.kind == .bias || t.kind == .input { return "connection \(c.innovation) ends in a bias or input node" }
      if c.isRecurrent && !space.recurrent { return "recurrent connection \(c.innovation) outside a recurrent space" }
      if s.kind == .output && t.kind == .output && !space.outputToOutput {
        return "output-to-output connection \(c.innovation)"
      }
    }
    return isAcyclicWithoutRecurrentGenes ? nil : "non-recurrent connections form a cycle"
  }

  private func commonViolation() -> String? {
    var ids = Set<NodeID>()
    for n in nodes where !ids.insert(n.id).inserted { return "duplicate node id \(n.id)" }
    for n in nodes where n.kind == .output && n.activation != .linear { return "output \(n.id) is not linear" }
    var innovations = Set<Innovation>()
    var pairs = Set<[Int32]>()
    for c in connections {
      if !innovations.insert(c.innovation).inserted { return "duplicate innovation \(c.innovation)" }
      if !ids.contains(c.source) || !ids.contains(c.target) { return "connection \(c.innovation) to an unknown node" }
      if !pairs.insert([c.source.rawValue, c.target.rawValue]).inserted {
        return "duplicate connection \(c.source)->\(c.target)"
      }
    }
    return nil
  }
}

/// Where each node id sits in a genome's `nodes`: `index[id]` is its position, or nil.
///
/// Why not a dictionary: compiling, layering and mutating a genome look nodes up once per
/// connection, and hashing each lookup was a tenth of an MNIST generation (perf). A search's
/// genomes keep their nodes in ascending id order (bias, inputs and outputs numbered from 0, new
/// nodes appended with ever larger ids), so a lookup is the id itself for the first nodes and a
/// search in halves for the rest. A genome whose ids are not ascending (a file may hold any
/// order) falls back to a dictionary, the last of duplicate ids winning as before.
public struct NodeIndex: Sendable {
  private let ids: [Int32]
  private let unordered: [NodeID: Int]?

  public init(_ nodes: [NodeGene]) {
    ids = nodes.map(\.id.rawValue)
    var ascending = true
    for i in ids.indices.dropFirst() where ids[i - 1] >= ids[i] {
      ascending = false
      break
    }
    if ascending {
      unordered = nil
    } else {
      var index = [NodeID: Int](minimumCapacity: nodes.count)
      for (i, n) in nodes.enumerated() { index[n.id] = i }
      unordered = index
    }
  }

  public subscript(id: NodeID) -> Int? {
    if let unordered { return unordered[id] }
    let r = id.rawValue
    if r >= 0, Int(r) < ids.count, ids[Int(r)] == r { return Int(r) }
    return sortedPosition(of: r, in: ids)
  }
}

/// The position of `value` in the ascending `sorted` (the first, if it repeats), or nil: a
/// search in halves, which the genome's hot lookups use in place of hashing.
func sortedPosition<T: Comparable>(of value: T, in sorted: [T]) -> Int? {
  var low = 0, high = sorted.count
  while low < high {
    let mid = (low + high) / 2
    if sorted[mid] < value { low = mid + 1 } else { high = mid }
  }
  return low < sorted.count && sorted[low] == value ? low : nil
}
