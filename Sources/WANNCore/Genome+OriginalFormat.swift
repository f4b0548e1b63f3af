/// Import of the original release's champion files (`.out`): CSV with N rows and N + 1 columns,
/// the weight matrix (row = source, column = target; 0 or NaN = no connection) followed by each
/// node's activation id. Node order: bias, inputs, hidden (already in a feed-forward order), and
/// the last `outputs` rows are the outputs.
public struct OriginalNetwork: Sendable, Equatable {
  public let genome: Genome
  /// The file's trained weight of each connection, in `genome.connections` order. A
  /// weight-agnostic evaluation ignores them; they are kept for analysis.
  public let weights: [Double]

  public enum ImportError: Error, Equatable, CustomStringConvertible {
    case empty
    case notSquare(row: Int, columns: Int, expected: Int)
    case badNumber(row: Int, column: Int, text: String)
    case tooSmall(nodes: Int, needed: Int)
    case badActivation(node: Int, id: Double)
    case nonLinearOutput(node: Int, activation: Activation)
    case notFeedForward(source: Int, target: Int)

    public var description: String {
      switch self {
      case .empty: "the file holds no rows"
      case .notSquare(let r, let c, let e):
        "row \(r) has \(c) columns, expected \(e) (N weight columns + 1 activation column)"
      case .badNumber(let r, let c, let t): "row \(r), column \(c): '\(t)' is not a number"
      case .tooSmall(let n, let needed):
        "the network has \(n) nodes but the task needs at least \(needed) (bias, inputs, outputs)"
      case .badActivation(let n, let id): "node \(n) has activation id \(id), expected an integer 1...11"
      case .nonLinearOutput(let n, let a): "output node \(n) has activation \(a); the original's outputs are linear"
      case .notFeedForward(let s, let t): "connection \(s)->\(t) does not go forward in node order"
      }
    }
  }

  public init(csv text: String, inputs: Int, outputs: Int) throws(ImportError) {
    let rows = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    guard !rows.isEmpty else { throw .empty }
    let n = rows.count
    guard n >= 1 + inputs + outputs else { throw .tooSmall(nodes: n, needed: 1 + inputs + outputs) }
    var matrix: [[Double]] = []
    for (r, row) in rows.enumerated() {
      let cells = row.split(separator: ",", omittingEmptySubsequences: false)
      guard cells.count == n + 1 else { throw .notSquare(row: r + 1, columns: cells.count, expected: n + 1) }
      var values: [Double] = []
      for (c, cell) in cells.enumerated() {
        let t = cell.trimmingWhitespace()
        guard let v = Double(t) ?? (t.lowercased() == "nan" ? Double.nan : nil) else {
          throw .badNumber(row: r + 1, column: c + 1, text: String(t))
        }
        values.append(v)
      }
      matrix.append(values)
    }
    // File index -> our node id: bias 0, inputs 1...nIn, outputs next, hidden after them.
    let firstOutput = n - outputs
    var ids = [NodeID](repeating: NodeID(0), count: n)
    var nodes: [NodeGene] = []
    for i in 0..<n {
      let idValue = matrix[i][n]
      guard let raw = Int32(exactly: idValue), let act = Activation(rawValue: raw) else {
        throw .badActivation(node: i, id: idValue)
      }
      if i == 0 {
        ids[i] = NodeID(0)
      } else if i <= inputs {
        ids[i] = NodeID(Int32(i))
      } else if i >= firstOutput {
        ids[i] = NodeID(Int32(1 + inputs + (i - firstOutput)))
        if act != .linear { throw .nonLinearOutput(node: i, activation: act) }
      } else {
        ids[i] = NodeID(Int32(1 + inputs + outputs + (i - inputs - 1)))
      }
      _ = act
    }
    let bare = Genome.bare(inputs: inputs, outputs: outputs)
    nodes = bare.nodes
    for i in (inputs + 1)..<firstOutput {
      nodes.append(NodeGene(id: ids[i], kind: .hidden, activation: Activation(rawValue: Int32(matrix[i][n]))!))
    }
    var connections: [ConnectionGene] = []
    var weights: [Double] = []
    for s in 0..<n {
      for t in 0..<n {
        let w = matrix[s][t]
        guard w != 0, !w.isNaN else { continue }
        guard t > s, t > inputs, s < firstOutput else { throw .notFeedForward(source: s, target: t) }
        connections.append(
          ConnectionGene(innovation: Innovation(Int64(connections.count)), source: ids[s], target: ids[t]))
        weights.append(w)
      }
    }
    self.genome = Genome(nodes: nodes, connections: connections)
    self.weights = weights
  }
}

extension Substring {
  func trimmingWhitespace() -> Substring {
    var s = self
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return s
  }
}
