import CLanes

/// A genome compiled for evaluation: value slots (0 = bias, then inputs, then every other node in
/// a topological order of the evaluated non-recurrent connections) and, for each evaluated node,
/// its sources as a flat index list. Disabled genes are dropped, except disabled
/// hidden-to-hidden ones under `disabledHiddenLinks = "active"` (the original release's rule,
/// the genes `Genome.activeConnections` lists); a node with no evaluated input
/// evaluates to `activation(0)`, as in the original. Recurrent connections are listed apart:
/// they deliver their source's value from the previous step (see docs/recurrence.md).
public struct Network: Sendable, Equatable {
  public let inputCount: Int
  public let slotCount: Int
  /// Slot of each output, in output-node order.
  public let outputSlots: [Int32]
  /// For evaluated node k (slot `inputCount + 1 + k`): its activation and sources
  /// `sources[sourceStart[k] ..< sourceStart[k + 1]]`.
  public let activations: [Activation]
  public let sourceStart: [Int32]
  public let sources: [Int32]
  /// Recurrent inputs of evaluated node k: the previous-step values of slots
  /// `recurrentSources[recurrentStart[k] ..< recurrentStart[k + 1]]`.
  public let recurrentStart: [Int32]
  public let recurrentSources: [Int32]
  /// The genome node id held in each slot (for drawings and debugging).
  public let slotNodes: [NodeID]
  /// The gene behind each enabled connection, in `NetworkEvaluator`'s connection order
  /// (feed-forward ones in evaluation order, then recurrent ones): what individual connection
  /// weights (`setConnectionWeights`) are matched to when they are stored or reported.
  public let connectionInnovations: [Innovation]

  public var evaluatedCount: Int { activations.count }
  public var isRecurrent: Bool { !recurrentSources.isEmpty }
  public var outputCount: Int { outputSlots.count }

  public enum CompileError: Error, Equatable, CustomStringConvertible {
    case cycle
    case unknownNode(NodeID)
    public var description: String {
      switch self {
      case .cycle: "the enabled connections contain a cycle"
      case .unknownNode(let n): "a connection refers to unknown node \(n)"
      }
    }
  }

  public init(_ genome: Genome) throws(CompileError) {
    let index = genome.nodeIndex()
    let n = genome.nodes.count
    var incoming = [[Int]](repeating: [], count: n)
    var incomingGenes = [[Innovation]](repeating: [], count: n)
    var delayed = [[Int]](repeating: [], count: n)
    var delayedGenes = [[Innovation]](repeating: [], count: n)
    var outgoing = [[Int]](repeating: [], count: n)
    var indegree = [Int](repeating: 0, count: n)
    for c in genome.activeConnections {
      guard let s = index[c.source] else { throw .unknownNode(c.source) }
      guard let t = index[c.target] else { throw .unknownNode(c.target) }
      if c.isRecurrent {
        delayed[t].append(s)
        delayedGenes[t].append(c.innovation)
        continue
      }
      incoming[t].append(s)
      incomingGenes[t].append(c.innovation)
      outgoing[s].append(t)
      indegree[t] += 1
    }
    var slotOf = [Int](repeating: -1, count: n)
    var slotNodes: [NodeID] = []
    // Bias and inputs first, in node order.
    var inputs = 0
    for i in 0..<n where genome.nodes[i].kind == .bias {
      slotOf[i] = slotNodes.count; slotNodes.append(genome.nodes[i].id)
    }
    for i in 0..<n where genome.nodes[i].kind == .input {
      slotOf[i] = slotNodes.count; slotNodes.append(genome.nodes[i].id); inputs += 1
    }
    // Kahn's algorithm; ready nodes are taken in node order so the slot layout is stable.
    var ready: [Int] = (0..<n).filter { indegree[$0] == 0 }
    var order: [Int] = []
    var cursor = 0
    while cursor < ready.count {
      let i = ready[cursor]; cursor += 1
      order.append(i)
      for t in outgoing[i] {
        indegree[t] -= 1
        if indegree[t] == 0 { ready.append(t) }
      }
    }
    guard order.count == n else { throw .cycle }
    var activations: [Activation] = []
    var sourceStart: [Int32] = [0]
    var sources: [Int32] = []
    let evaluated = order.filter { genome.nodes[$0].kind == .hidden || genome.nodes[$0].kind == .output }
    for i in evaluated {
      slotOf[i] = slotNodes.count
      slotNodes.append(genome.nodes[i].id)
      activations.append(genome.nodes[i].activation)
      for s in incoming[i] { sources.append(Int32(slotOf[s])) }
      sourceStart.append(Int32(sources.count))
    }
    // Recurrent sources may come later in the order, so they are resolved once all slots exist.
    var recurrentStart: [Int32] = [0]
    var recurrentSources: [Int32] = []
    for i in evaluated {
      for s in delayed[i] { recurrentSources.append(Int32(slotOf[s])) }
      recurrentStart.append(Int32(recurrentSources.count))
    }
    self.connectionInnovations = evaluated.flatMap { incomingGenes[$0] } + evaluated.flatMap { delayedGenes[$0] }
    self.recurrentStart = recurrentStart
    self.recurrentSources = recurrentSources
    self.inputCount = inputs
    self.slotCount = slotNodes.count
    self.outputSlots = genome.nodes.indices.filter { genome.nodes[$0].kind == .output }.map { Int32(slotOf[$0]) }
    self.activations = activations
    self.sourceStart = sourceStart
    self.sources = sources
    self.slotNodes = slotNodes
  }
}
