/// How a genome came to be: the lineage column of every generation.
public enum Origin: String, Sendable, Codable, CaseIterable {
  case initial, elite, insertNode, addConnection, changeActivation, enableConnection
}

/// Topological mutation settings. Probabilities are relative weights of a roulette: exactly one
/// operator is applied per child (the original's `topoMutate`).
///
/// The `[mutation]` keys. What each field means is its key's row in `SearchConfig.schema` (one
/// place for every key's documentation and bounds; `wann config` prints them).
public struct MutationConfig: Codable, Sendable, Equatable {
  public var insertNode = 0.25
  public var addConnection = 0.20
  public var changeActivation = 0.50
  public var enableConnection = 0.05
  /// nil: the task's default set.
  public var hiddenActivations: [Activation]? = nil
  public init() {}
}

extension Genome {
  /// The original's initial genome: every bias/input -> output gene exists (innovations
  /// 0..<(nIn+1)*nOut, grouped by output) and each is enabled with `probability`.
  public static func initial(inputs: Int, outputs: Int, connectionProbability: Double, using rng: inout RandomStream)
    -> Genome
  {
    var g = Genome.bare(inputs: inputs, outputs: outputs)
    var innovation: Int64 = 0
    for o in 0..<outputs {
      for s in 0...inputs {
        let enabled = rng.uniform() < connectionProbability
        g.connections.append(
          ConnectionGene(
            innovation: Innovation(innovation), source: NodeID(Int32(s)),
            target: NodeID(Int32(1 + inputs + o)), isEnabled: enabled))
        innovation += 1
      }
    }
    return g
  }

  /// The innovation record that matches `initial(inputs:outputs:...)`.
  public static func initialRecord(inputs: Int, outputs: Int) -> InnovationRecord {
    InnovationRecord(nextNodeID: Int32(1 + inputs + outputs), nextInnovation: Int64((inputs + 1) * outputs))
  }

  /// Returns a child made by exactly one operator chosen by roulette. An operator that finds
  /// nothing to act on (no hidden node, no disabled gene, no free link) leaves the child equal to
  /// its parent, as in the original.
  public func mutated(
    _ config: MutationConfig, hiddenActivations: [Activation], space: SearchSpace = .feedForward,
    record: inout InnovationRecord, using rng: inout RandomStream
  ) -> (Genome, Origin) {
    // Roulette in the original's slot order: add connection, insert node, enable, activation.
    let slots: [(Double, Origin)] = [
      (config.addConnection, .addConnection), (config.insertNode, .insertNode),
      (config.enableConnection, .enableConnection), (config.changeActivation, .changeActivation),
    ]
    let total = slots.reduce(0) { $0 + $1.0 }
    let spin = rng.uniform() * total
    var cumulative = 0.0
    var chosen = Origin.changeActivation
    for (p, op) in slots {
      cumulative += p
      if spin < cumulative { chosen = op; break }
    }
    var child = self
    switch chosen {
    case .addConnection: child.addConnection(in: space, record: &record, using: &rng)
    case .insertNode: child.insertNode(activations: hiddenActivations, record: &record, using: &rng)
    case .enableConnection: child.enableConnection(using: &rng)
    case .changeActivation: child.changeActivation(activations: hiddenActivations, using: &rng)
    case .initial, .elite: break
    }
    return (child, chosen)
  }

  /// Splits a random enabled connection with a new hidden node of random activation:
  /// source -> new -> target, the old gene disabled.
  public mutating func insertNode(
    activations: [Activation], record: inout InnovationRecord, using rng: inout RandomStream
  ) {
    let enabled = connections.indices.filter { connections[$0].isEnabled }
    guard !enabled.isEmpty, !activations.isEmpty else { return }
    let k = enabled[rng.uniformInt(below: enabled.count)]
    let old = connections[k]
    let activation = activations[rng.uniformInt(below: activations.count)]
    let ids = record.split(old.innovation)
    connections[k].isEnabled = false
    nodes.append(NodeGene(id: ids.node, kind: .hidden, activation: activation))
    // Splitting a recurrent link keeps its one-step delay on the first half.
    connections.append(
      ConnectionGene(innovation: ids.incoming, source: old.source, target: ids.node, isRecurrent: old.isRecurrent))
    connections.append(ConnectionGene(innovation: ids.outgoing, source: ids.node, target: old.target))
  }

  /// Adds a link allowed by `space` from a random node to a random node it does not link to
  /// yet. Sources are tried in random order, as in the original. In the paper's space the target
  /// must lie in a later feed-forward layer (the original's rule); in the wider spaces any link
  /// that keeps the non-recurrent links acyclic is allowed, and in a recurrent space a link that
  /// would close a cycle (a self-loop included) is added as a recurrent link.
  public mutating func addConnection(
    in space: SearchSpace = .feedForward, record: inout InnovationRecord, using rng: inout RandomStream
  ) {
    if !space.isFeedForward {
      addConnectionInWideSpace(space, record: &record, using: &rng)
      return
    }
    guard let layer = layers() else { return }
    let existing = linkedPairs()
    var order = Array(nodes.indices)
    rng.shuffle(&order)
    for s in order {
      let source = nodes[s].id
      var candidates: [Int] = []
      for t in nodes.indices where layer[t] > layer[s] && nodes[t].kind != .input && nodes[t].kind != .bias {
        if sortedPosition(of: Self.pairKey(source, nodes[t].id), in: existing) == nil { candidates.append(t) }
      }
      guard !candidates.isEmpty else { continue }
      let t = candidates[rng.uniformInt(below: candidates.count)]
      let target = nodes[t].id
      connections.append(
        ConnectionGene(innovation: record.link(from: source, to: target), source: source, target: target))
      return
    }
  }

  /// Every (source, target) pair a gene links, as ascending `pairKey`s. A sorted array searched
  /// in halves, not a `Set`: hashing every pair was a twentieth of an MNIST generation (perf),
  /// on the one thread that breeds.
  private func linkedPairs() -> [Int64] {
    var keys = connections.map { Self.pairKey($0.source, $0.target) }
    keys.sort()
    return keys
  }

  private static func pairKey(_ source: NodeID, _ target: NodeID) -> Int64 {
    Int64(source.rawValue) << 32 | Int64(UInt32(bitPattern: target.rawValue))
  }

  private mutating func addConnectionInWideSpace(
    _ space: SearchSpace, record: inout InnovationRecord, using rng: inout RandomStream
  ) {
    let index = nodeIndex()
    var incoming = [[Int]](repeating: [], count: nodes.count)
    let existing = linkedPairs()
    for c in connections where !c.isRecurrent {
      if let s = index[c.source], let t = index[c.target] { incoming[t].append(s) }
    }
    var order = Array(nodes.indices)
    rng.shuffle(&order)
    for s in order {
      // Nodes from which s is reachable through non-recurrent genes (s included): a link from s
      // to any of them closes a cycle.
      var reaches = [Bool](repeating: false, count: nodes.count)
      var stack = [s]
      reaches[s] = true
      while let n = stack.popLast() {
        for p in incoming[n] where !reaches[p] { reaches[p] = true; stack.append(p) }
      }
      let sourceIsOutput = nodes[s].kind == .output
      var candidates: [(target: Int, recurrent: Bool)] = []
      for t in nodes.indices where nodes[t].kind != .bias && nodes[t].kind != .input {
        if sortedPosition(of: Self.pairKey(nodes[s].id, nodes[t].id), in: existing) != nil { continue }
        let targetIsOutput = nodes[t].kind == .output
        if sourceIsOutput && targetIsOutput && !space.outputToOutput { continue }
        let recurrent = reaches[t] || (sourceIsOutput && !targetIsOutput)
        if recurrent && !space.recurrent { continue }
        candidates.append((t, recurrent))
      }
      guard !candidates.isEmpty else { continue }
      let pick = candidates[rng.uniformInt(below: candidates.count)]
      let source = nodes[s].id, target = nodes[pick.target].id
      connections.append(
        ConnectionGene(
          innovation: record.link(from: source, to: target, recurrent: pick.recurrent), source: source, target: target,
          isRecurrent: pick.recurrent))
      return
    }
  }

  /// Re-enables a random disabled gene.
  public mutating func enableConnection(using rng: inout RandomStream) {
    let disabled = connections.indices.filter { !connections[$0].isEnabled }
    guard !disabled.isEmpty else { return }
    connections[disabled[rng.uniformInt(below: disabled.count)]].isEnabled = true
  }

  /// Gives a random hidden node a different activation from `activations`.
  public mutating func changeActivation(activations: [Activation], using rng: inout RandomStream) {
    let hidden = nodes.indices.filter { nodes[$0].kind == .hidden }
    guard !hidden.isEmpty else { return }
    let k = hidden[rng.uniformInt(below: hidden.count)]
    let pool = activations.filter { $0 != nodes[k].activation }
    guard !pool.isEmpty else { return }
    nodes[k].activation = pool[rng.uniformInt(below: pool.count)]
  }
}
