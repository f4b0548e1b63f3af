/// A compact, lossless binary form of a genome (what travels between MPI ranks): a flat list of
/// Int64 — node count, connection count, the disabled-hidden-links rule (0 = inactive,
/// 1 = active), then (id, kind, activation) per node and (innovation, source, target, flags) per
/// connection (flags: 1 = enabled, 2 = recurrent).
extension Genome {
  public func compactEncoding() -> [Int64] {
    var out: [Int64] = [Int64(nodes.count), Int64(connections.count), disabledHiddenLinks == .active ? 1 : 0]
    out.reserveCapacity(3 + 3 * nodes.count + 4 * connections.count)
    let kinds: [NodeKind: Int64] = [.bias: 0, .input: 1, .hidden: 2, .output: 3]
    for n in nodes { out += [Int64(n.id.rawValue), kinds[n.kind]!, Int64(n.activation.rawValue)] }
    for c in connections {
      out += [
        c.innovation.rawValue, Int64(c.source.rawValue), Int64(c.target.rawValue),
        (c.isEnabled ? 1 : 0) | (c.isRecurrent ? 2 : 0),
      ]
    }
    return out
  }

  public enum CompactDecodingError: Error, Equatable { case malformed }

  /// Decodes `compactEncoding()`; throws on a truncated or inconsistent buffer.
  public init(compact v: ArraySlice<Int64>) throws(CompactDecodingError) {
    var i = v.startIndex
    func next() throws(CompactDecodingError) -> Int64 {
      guard i < v.endIndex else { throw .malformed }
      defer { i += 1 }
      return v[i]
    }
    let nodeCount = Int(try next()), connectionCount = Int(try next()), rule = try next()
    guard nodeCount >= 0, connectionCount >= 0, rule == 0 || rule == 1,
      v.count == 3 + 3 * nodeCount + 4 * connectionCount
    else { throw .malformed }
    let kinds: [NodeKind] = [.bias, .input, .hidden, .output]
    var nodes: [NodeGene] = []
    for _ in 0..<nodeCount {
      let id = try next(), kind = try next(), act = try next()
      guard (0..<4).contains(kind), let a = Activation(rawValue: Int32(truncatingIfNeeded: act)) else {
        throw .malformed
      }
      nodes.append(NodeGene(id: NodeID(Int32(truncatingIfNeeded: id)), kind: kinds[Int(kind)], activation: a))
    }
    var connections: [ConnectionGene] = []
    for _ in 0..<connectionCount {
      let innovation = try next(), source = try next(), target = try next(), flags = try next()
      connections.append(
        ConnectionGene(
          innovation: Innovation(innovation), source: NodeID(Int32(truncatingIfNeeded: source)),
          target: NodeID(Int32(truncatingIfNeeded: target)), isEnabled: flags & 1 != 0,
          isRecurrent: flags & 2 != 0))
    }
    self.init(nodes: nodes, connections: connections, disabledHiddenLinks: rule == 1 ? .active : .inactive)
  }
}
