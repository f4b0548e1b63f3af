/// A genome compiled for evaluation: value slots (0 = bias, then inputs, then every other node in
/// a topological order of the enabled non-recurrent connections) and, for each evaluated node,
/// its sources as a flat index list. Disabled genes are dropped; a node with no enabled input
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
    for c in genome.connections where c.isEnabled {
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

/// Per-thread scratch for evaluating networks without allocating: the program of the loaded
/// network and the value slots live in buffers that only grow. A non-copyable struct, so it
/// owns its buffers (freed in deinit), is never shared between threads, and its fields are
/// accessed without the runtime exclusivity checks a class would pay on every step.
public struct NetworkEvaluator: ~Copyable {
  private var activations: UnsafeMutablePointer<Activation>
  private var sourceStart: UnsafeMutablePointer<Int32>
  private var sources: UnsafeMutablePointer<Int32>
  private var outputs: UnsafeMutablePointer<Int32>
  private var recurrentStart: UnsafeMutablePointer<Int32>
  private var recurrentSources: UnsafeMutablePointer<Int32>
  /// Previous-step value of each recurrent connection's source.
  private var previous: UnsafeMutablePointer<Double>
  private var recurrentCapacity = 0
  public private(set) var recurrentCount = 0
  /// Individual connection weights (feed-forward sources in order, then recurrent ones), used
  /// instead of the shared weight after `setConnectionWeights`.
  private var connectionWeights: UnsafeMutablePointer<Double>
  private var connectionWeightCapacity = 1
  public private(set) var usesConnectionWeights = false
  private var feedForwardConnectionCount = 0
  /// Value slots: [0] = bias (1), [1...inputCount] = the observation.
  public private(set) var values: UnsafeMutablePointer<Double>
  private var capacity = (activations: 0, sources: 0, outputs: 0, slots: 0)
  public private(set) var inputCount = 0
  public private(set) var evaluatedCount = 0
  public private(set) var outputCount = 0
  /// Batch mode (classification): every slot holds a row of `batchSize` values, slot-major.
  private var batch: UnsafeMutablePointer<Double>
  private var batchCapacity = 1
  public private(set) var batchSize = 0
  /// Inputs that some enabled connection reads (so a batch needs only these rows filled).
  private var usedInputs: UnsafeMutablePointer<Int32>
  private var usedInputCapacity = 1
  public private(set) var usedInputCount = 0

  public init() {
    batch = .allocate(capacity: 1)
    usedInputs = .allocate(capacity: 1)
    activations = .allocate(capacity: 1)
    sourceStart = .allocate(capacity: 2)
    sources = .allocate(capacity: 1)
    outputs = .allocate(capacity: 1)
    values = .allocate(capacity: 1)
    recurrentStart = .allocate(capacity: 2)
    recurrentSources = .allocate(capacity: 1)
    previous = .allocate(capacity: 1)
    connectionWeights = .allocate(capacity: 1)
    capacity = (1, 1, 1, 1)
    recurrentCapacity = 1
  }

  deinit {
    activations.deallocate(); sourceStart.deallocate(); sources.deallocate()
    outputs.deallocate(); values.deallocate()
    recurrentStart.deallocate(); recurrentSources.deallocate(); previous.deallocate()
    connectionWeights.deallocate()
    batch.deallocate()
    usedInputs.deallocate()
  }

  /// Copies `network`'s program into this evaluator's buffers (allocating only to grow).
  public mutating func load(_ network: Network) {
    if network.evaluatedCount > capacity.activations {
      activations.deallocate(); sourceStart.deallocate()
      capacity.activations = network.evaluatedCount * 2
      activations = .allocate(capacity: capacity.activations)
      sourceStart = .allocate(capacity: capacity.activations + 1)
    }
    if network.sources.count > capacity.sources {
      sources.deallocate()
      capacity.sources = network.sources.count * 2
      sources = .allocate(capacity: capacity.sources)
    }
    if network.outputCount > capacity.outputs {
      outputs.deallocate()
      capacity.outputs = network.outputCount
      outputs = .allocate(capacity: capacity.outputs)
    }
    if network.slotCount > capacity.slots {
      values.deallocate()
      capacity.slots = network.slotCount * 2
      values = .allocate(capacity: capacity.slots)
    }
    if network.isRecurrent {
      if network.recurrentSources.count > recurrentCapacity || network.evaluatedCount + 1 > recurrentCapacity {
        recurrentStart.deallocate(); recurrentSources.deallocate(); previous.deallocate()
        recurrentCapacity = max(network.recurrentSources.count, network.evaluatedCount + 1) * 2
        recurrentStart = .allocate(capacity: recurrentCapacity)
        recurrentSources = .allocate(capacity: recurrentCapacity)
        previous = .allocate(capacity: recurrentCapacity)
      }
      for (k, s) in network.recurrentStart.enumerated() { recurrentStart[k] = s }
      for (k, s) in network.recurrentSources.enumerated() { recurrentSources[k] = s }
    }
    recurrentCount = network.recurrentSources.count
    for r in 0..<recurrentCount { previous[r] = 0 }
    feedForwardConnectionCount = network.sources.count
    if network.sources.count + recurrentCount > connectionWeightCapacity {
      connectionWeights.deallocate()
      connectionWeightCapacity = (network.sources.count + recurrentCount) * 2
      connectionWeights = .allocate(capacity: connectionWeightCapacity)
    }
    usesConnectionWeights = false
    for (k, a) in network.activations.enumerated() { activations[k] = a }
    for (k, s) in network.sourceStart.enumerated() { sourceStart[k] = s }
    for (k, s) in network.sources.enumerated() { sources[k] = s }
    for (k, s) in network.outputSlots.enumerated() { outputs[k] = s }
    for k in 0..<network.slotCount { values[k] = 0 }
    values[0] = 1
    inputCount = network.inputCount
    evaluatedCount = network.evaluatedCount
    outputCount = network.outputCount
    if inputCount > usedInputCapacity {
      usedInputs.deallocate()
      usedInputCapacity = inputCount * 2
      usedInputs = .allocate(capacity: usedInputCapacity)
    }
    // Mark inputs read by a connection in the (still unused) output-slot scratch of `values`,
    // then list them in input order.
    usedInputCount = 0
    for k in 0..<network.slotCount { values[k] = 0 }
    for s in network.sources where s >= 1 && Int(s) <= inputCount { values[Int(s)] = 1 }
    for s in network.recurrentSources where s >= 1 && Int(s) <= inputCount { values[Int(s)] = 1 }
    for i in 0..<inputCount where values[1 + i] == 1 {
      usedInputs[usedInputCount] = Int32(i)
      usedInputCount += 1
    }
    for k in 0..<network.slotCount { values[k] = 0 }
    values[0] = 1
  }

  /// Input `n` of the inputs some connection reads, in input order (`n < usedInputCount`).
  @inline(__always)
  public func usedInput(_ n: Int) -> Int { Int(usedInputs[n]) }

  /// Starts a new episode: every node's previous value is zero again.
  @inline(__always)
  public func resetState() {
    var k = inputCount &+ 1
    let end = inputCount &+ 1 &+ evaluatedCount
    while k < end {
      values[k] = 0
      k &+= 1
    }
    for r in 0..<recurrentCount { previous[r] = 0 }
  }

  // MARK: Batch mode

  /// Prepares to evaluate the loaded network on `size` samples at once (growing the buffer only
  /// when needed): the bias row is set to 1; fill the input rows with `batchInputs(_:)`.
  public mutating func prepareBatch(size: Int) {
    let slots = inputCount &+ 1 &+ evaluatedCount
    if slots * size > batchCapacity {
      batch.deallocate()
      batchCapacity = slots * size * 2
      batch = .allocate(capacity: batchCapacity)
    }
    batchSize = size
    batch.update(repeating: 1, count: size)
  }

  /// The row of input `i` over the batch (write sample b's value at index b).
  @inline(__always)
  public func batchInputs(_ i: Int) -> UnsafeMutablePointer<Double> { batch + (1 &+ i) &* batchSize }

  /// The row of output `o` over the batch, after `forwardBatch`.
  @inline(__always)
  public func batchOutputs(_ o: Int) -> UnsafePointer<Double> { UnsafePointer(batch + Int(outputs[o]) &* batchSize) }

  /// Evaluates every sample of the batch in one pass, node by node over contiguous rows, so the
  /// inner loops vectorise. One step from a zero state: recurrent connections deliver the
  /// previous step's values, which are all 0, so a batch ignores them (classification is a
  /// single step per sample). Individual connection weights apply if set.
  public func forwardBatch(weight: Double) {
    let n = batchSize
    let first = inputCount &+ 1
    var e = Int(sourceStart[0])
    for k in 0..<evaluatedCount {
      let row = batch + (first &+ k) &* n
      row.update(repeating: 0, count: n)
      let end = Int(sourceStart[k &+ 1])
      while e < end {
        let source = UnsafePointer(batch + Int(sources[e]) &* n)
        if usesConnectionWeights {
          let w = connectionWeights[e]
          for b in 0..<n { row[b] += w * source[b] }
        } else {
          for b in 0..<n { row[b] += source[b] }
        }
        e &+= 1
      }
      Self.activate(activations[k], row, n, scale: usesConnectionWeights ? 1 : weight)
    }
  }

  /// row[b] = activation(scale · row[b]), with the activation chosen once per row.
  @inline(__always)
  static func activate(_ a: Activation, _ row: UnsafeMutablePointer<Double>, _ n: Int, scale: Double) {
    switch a {
    case .linear: for b in 0..<n { row[b] = scale * row[b] }
    case .step: for b in 0..<n { row[b] = scale * row[b] > 0 ? 1 : 0 }
    case .sine: for b in 0..<n { row[b] = FastMath.sinPi(scale * row[b]) }
    case .gaussian: for b in 0..<n { row[b] = FastMath.gaussian(scale * row[b]) }
    case .tanh: for b in 0..<n { row[b] = FastMath.tanh(scale * row[b]) }
    case .sigmoid: for b in 0..<n { row[b] = (FastMath.tanh(scale * row[b] / 2) + 1) / 2 }
    case .inverse: for b in 0..<n { row[b] = -(scale * row[b]) }
    case .absolute: for b in 0..<n { row[b] = Swift.abs(scale * row[b]) }
    case .relu: for b in 0..<n { let x = scale * row[b]; row[b] = x > 0 ? x : 0 }
    case .cosine: for b in 0..<n { row[b] = FastMath.cosPi(scale * row[b]) }
    case .squared: for b in 0..<n { let x = scale * row[b]; row[b] = x * x }
    }
  }

  /// Enabled connections of the loaded network: feed-forward ones first (in evaluation order),
  /// then recurrent ones.
  public var connectionCount: Int { feedForwardConnectionCount + recurrentCount }

  /// Gives connection i the weight `draw(i)` for the following steps (until `useSharedWeight`
  /// or the next `load`); `forward` then ignores its `weight` argument.
  public mutating func setConnectionWeights(_ draw: (Int) -> Double) {
    for i in 0..<connectionCount { connectionWeights[i] = draw(i) }
    usesConnectionWeights = true
  }

  public mutating func useSharedWeight() { usesConnectionWeights = false }

  /// Evaluates every non-input node once with all connections at `weight` (or at their own
  /// weights after `setConnectionWeights`). Write the observation with `setInput` first; read
  /// outputs with `output(_:)`.
  @inline(__always)
  public func forward(weight: Double) {
    if usesConnectionWeights {
      forwardWithConnectionWeights()
    } else if recurrentCount > 0 {
      forwardRecurrent(weight: weight)
    } else {
      forwardFeedForward(weight: weight)
    }
  }

  /// One step with individual connection weights: a node's input is Σ w_i · value_i.
  func forwardWithConnectionWeights() {
    let first = inputCount &+ 1
    var e = Int(sourceStart[0])
    var d = 0
    let recurrentWeights = connectionWeights + feedForwardConnectionCount
    for k in 0..<evaluatedCount {
      var sum = 0.0
      let end = Int(sourceStart[k &+ 1])
      while e < end {
        sum += connectionWeights[e] * values[Int(sources[e])]
        e &+= 1
      }
      let dEnd = recurrentCount > 0 ? Int(recurrentStart[k &+ 1]) : 0
      while d < dEnd {
        sum += recurrentWeights[d] * previous[d]
        d &+= 1
      }
      values[first &+ k] = activations[k](sum)
    }
    for r in 0..<recurrentCount { previous[r] = values[Int(recurrentSources[r])] }
  }

  /// One step of a network with recurrent connections: nodes are evaluated in order as in the
  /// feed-forward case, recurrent inputs reading the values saved at the end of the previous
  /// step; then this step's values of the recurrent sources are saved for the next.
  func forwardRecurrent(weight: Double) {
    let first = inputCount &+ 1
    var e = Int(sourceStart[0])
    var d = 0
    for k in 0..<evaluatedCount {
      var sum = 0.0
      let end = Int(sourceStart[k &+ 1])
      while e < end {
        sum += values[Int(sources[e])]
        e &+= 1
      }
      let dEnd = Int(recurrentStart[k &+ 1])
      while d < dEnd {
        sum += previous[d]
        d &+= 1
      }
      values[first &+ k] = activations[k](weight * sum)
    }
    for r in 0..<recurrentCount { previous[r] = values[Int(recurrentSources[r])] }
  }

  @inline(__always)
  func forwardFeedForward(weight: Double) {
    // Local copies and wrapping index arithmetic keep the loop free of checks (indices were
    // validated when the network was compiled).
    let activations = self.activations, sourceStart = self.sourceStart, sources = self.sources
    let values = self.values
    let first = inputCount &+ 1
    var k = 0
    var e = Int(sourceStart[0])
    while k < evaluatedCount {
      var sum = 0.0
      let end = Int(sourceStart[k &+ 1])
      while e < end {
        sum += values[Int(sources[e])]
        e &+= 1
      }
      values[first &+ k] = activations[k](weight * sum)
      k &+= 1
    }
  }

  @inline(__always)
  public func output(_ i: Int) -> Double { values[Int(outputs[i])] }

  @inline(__always)
  public func setInput(_ i: Int, _ value: Double) { values[1 + i] = value }
}
