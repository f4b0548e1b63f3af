import Foundation
import WANNCore

/// A network drawn as the paper draws it: inputs (and the bias) on the left, outputs on the
/// right, hidden nodes in columns by depth, each evaluated node labelled with its activation.
/// Recurrent connections (which read the previous step's value) are dashed red arcs, links
/// between outputs dashed blue arcs; disabled genes are not drawn. Pure: it returns text.
public struct NetworkDrawing: Sendable {
  public struct Node: Sendable, Equatable {
    public let id: NodeID
    public let kind: NodeKind
    public let label: String
    public let activation: Activation?
    public let column: Int
    public let row: Int
  }
  public struct Edge: Sendable, Equatable {
    public let innovation: Innovation
    public let source: NodeID
    public let target: NodeID
    public let isRecurrent: Bool
    /// A feed-forward link from one output to another (only in output-to-output search spaces).
    public var isOutputToOutput: Bool
  }

  public let nodes: [Node]
  public let edges: [Edge]
  public let columnCount: Int
  public let title: String
  /// A short note per connection, drawn beside it and in its tooltip (for example what cutting a
  /// recurrent link costs: `wann memory --draw`). Connections without one are drawn as usual.
  public var edgeNotes: [Innovation: String] = [:]

  /// Lays `genome` out. `inputLabels`/`outputLabels` name the task's inputs and outputs.
  public init(_ genome: Genome, inputLabels: [String], outputLabels: [String], title: String) {
    let index = genome.nodeIndex()
    let enabled = genome.activeConnections
    // Depth of hidden nodes: longest chain of active feed-forward links through hidden nodes.
    var depth = [NodeID: Int]()
    var incoming = [NodeID: [NodeID]]()
    for c in enabled where !c.isRecurrent { incoming[c.target, default: []].append(c.source) }
    func depthOf(_ id: NodeID, _ visiting: inout Set<NodeID>) -> Int {
      if let d = depth[id] { return d }
      guard let i = index[id], genome.nodes[i].kind == .hidden, visiting.insert(id).inserted else { return 0 }
      var d = 1
      for s in incoming[id] ?? [] { d = max(d, depthOf(s, &visiting) + 1) }
      depth[id] = d
      return d
    }
    var visiting = Set<NodeID>()
    let hiddenDepths = genome.nodes.filter { $0.kind == .hidden }.map { depthOf($0.id, &visiting) }
    let outputColumn = (hiddenDepths.max() ?? 0) + 1
    var columns = [[NodeGene]](repeating: [], count: outputColumn + 1)
    for n in genome.nodes {
      switch n.kind {
      case .bias, .input: columns[0].append(n)
      case .hidden: columns[depth[n.id] ?? 1].append(n)
      case .output: columns[outputColumn].append(n)
      }
    }
    // Order hidden columns by the mean row of their sources (one barycentre sweep), which
    // removes most crossings; ties by node id keep it deterministic.
    var rowOf = [NodeID: Double]()
    for (r, n) in columns[0].enumerated() { rowOf[n.id] = Double(r) }
    for c in 1..<max(outputColumn, 1) {
      let keyed = columns[c].map { n -> (Double, NodeID, NodeGene) in
        let rows = (incoming[n.id] ?? []).compactMap { rowOf[$0] }
        return (rows.isEmpty ? 0 : rows.reduce(0, +) / Double(rows.count), n.id, n)
      }
      columns[c] = keyed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
      for (r, n) in columns[c].enumerated() { rowOf[n.id] = Double(r) }
    }
    var inputNumber = 0, outputNumber = 0
    var nodes: [Node] = []
    for (c, column) in columns.enumerated() {
      for (r, n) in column.enumerated() {
        let label: String
        switch n.kind {
        case .bias: label = "bias"
        case .input:
          label = inputNumber < inputLabels.count ? inputLabels[inputNumber] : "in \(inputNumber)"
          inputNumber += 1
        case .hidden: label = n.activation.name
        case .output:
          label = outputNumber < outputLabels.count ? outputLabels[outputNumber] : "out \(outputNumber)"
          outputNumber += 1
        }
        let evaluated = n.kind == .hidden || n.kind == .output
        nodes.append(
          Node(id: n.id, kind: n.kind, label: label, activation: evaluated ? n.activation : nil, column: c, row: r))
      }
    }
    let kinds = Dictionary(uniqueKeysWithValues: genome.nodes.map { ($0.id, $0.kind) })
    self.nodes = nodes
    self.edges = enabled.map {
      Edge(
        innovation: $0.innovation, source: $0.source, target: $0.target, isRecurrent: $0.isRecurrent,
        isOutputToOutput: !$0.isRecurrent && kinds[$0.source] == .output && kinds[$0.target] == .output)
    }
    self.columnCount = columns.count
    self.title = title
  }

  // MARK: SVG

  static let columnWidth = 170.0, rowHeight = 58.0, radius = 17.0, marginX = 110.0, marginTop = 56.0
  /// The most a curved link bows away from the straight line between its nodes.
  static let maximumBend = 120.0

  static func colour(_ a: Activation?) -> String {
    guard let a else { return "#e8e8e8" }
    switch a {
    case .linear: return "#f2f2f2"
    case .step: return "#f7c6c7"
    case .sine: return "#c6dbef"
    case .gaussian: return "#c7e9c0"
    case .tanh: return "#fdd0a2"
    case .sigmoid: return "#dadaeb"
    case .inverse: return "#fcbba1"
    case .absolute: return "#d9d9d9"
    case .relu: return "#fee391"
    case .cosine: return "#9ecae1"
    case .squared: return "#e5c494"
    }
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func number(_ x: Double) -> String { String(format: "%.1f", x) }

  /// A standalone SVG document. Nodes are `<g class="node ...">`, connections
  /// `<g class="edge ...">` (with `recurrent` or `output-link` added to the class), so tools can
  /// find them.
  public func svg() -> String {
    let rows = max(nodes.map(\.row).max().map { $0 + 1 } ?? 1, 1)
    // The right margin holds the output names (about 6.8 px per character at 12 px).
    let longestOutput = nodes.filter { $0.kind == .output }.map(\.label.count).max() ?? 0
    let rightMargin = max(Self.marginX, Self.radius + 16 + 6.8 * Double(longestOutput))
    let width = Self.marginX + rightMargin + Double(max(columnCount - 1, 1)) * Self.columnWidth
    // Arcs of links that run backwards (recurrent, or between outputs) bow out by up to half
    // their capped bend: room for them below the last row, above the legend.
    let arcRoom = edges.contains { $0.isRecurrent || $0.isOutputToOutput } ? Self.maximumBend / 2 : 0
    let height = Self.marginTop + Double(rows) * Self.rowHeight + 40 + arcRoom
    var position = [NodeID: (x: Double, y: Double)]()
    var rowsIn = [Int: Int]()
    for n in nodes { rowsIn[n.column, default: 0] += 1 }
    for n in nodes {
      // Centre each column vertically.
      let offset = Double(rows - rowsIn[n.column]!) * Self.rowHeight / 2
      position[n.id] = (
        Self.marginX + Double(n.column) * Self.columnWidth,
        Self.marginTop + offset + (Double(n.row) + 0.5) * Self.rowHeight
      )
    }
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="Helvetica, Arial, sans-serif">
      <title>\(Self.escape(title))</title>
      <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker>
      <marker id="arrow-recurrent" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#c0392b"/></marker>
      <marker id="arrow-output" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#2166ac"/></marker>
      </defs>
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(Self.number(width / 2))" y="24" text-anchor="middle" font-size="15">\(Self.escape(title))</text>
      <text x="\(Self.number(width / 2))" y="42" text-anchor="middle" font-size="11" fill="#555">\(nodes.count) nodes, \(edges.count) connections\(edges.contains(where: \.isRecurrent) ? " (dashed red: recurrent, reads the previous step)" : "")\(edges.contains(where: \.isOutputToOutput) ? " (dashed blue: output to output)" : "")</text>

      """
    let columnOf = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.column) })
    var notes = ""
    for e in edges {
      guard let a = position[e.source], let b = position[e.target] else { continue }
      let span = (columnOf[e.target] ?? 0) - (columnOf[e.source] ?? 0)
      let dx = b.x - a.x, dy = b.y - a.y
      let length = max((dx * dx + dy * dy).squareRoot(), 1e-9)
      let cls: String, stroke: String, marker: String, dash: String
      if e.isRecurrent {
        (cls, stroke, marker, dash) = ("edge recurrent", "#c0392b", "arrow-recurrent", " stroke-dasharray=\"5 3\"")
      } else if e.isOutputToOutput {
        (cls, stroke, marker, dash) = ("edge output-link", "#2166ac", "arrow-output", " stroke-dasharray=\"5 3\"")
      } else {
        (cls, stroke, marker, dash) = ("edge", "#777", "arrow", "")
      }
      let path: String
      if e.source == e.target {
        // A self-loop: a small circle above the node.
        let r = Self.radius
        path =
          "M \(Self.number(a.x - r * 0.6)) \(Self.number(a.y - r * 0.8)) C \(Self.number(a.x - r * 1.6)) \(Self.number(a.y - r * 3.2)) \(Self.number(a.x + r * 1.6)) \(Self.number(a.y - r * 3.2)) \(Self.number(a.x + r * 0.6)) \(Self.number(a.y - r * 0.8))"
      } else if e.isRecurrent || e.isOutputToOutput || dx <= 0 {
        // Curved, so it stands apart from the feed-forward flow (and from a reverse link).
        let sx = a.x + dx / length * Self.radius, sy = a.y + dy / length * Self.radius
        let tx = b.x - dx / length * Self.radius, ty = b.y - dy / length * Self.radius
        // Capped, so a link back across the whole network stays near it (and on the canvas).
        let bend = min(0.35 * length + 20, Self.maximumBend)
        let cx = (sx + tx) / 2 + dy / length * bend, cy = (sy + ty) / 2 - dx / length * bend
        path =
          "M \(Self.number(sx)) \(Self.number(sy)) Q \(Self.number(cx)) \(Self.number(cy)) \(Self.number(tx)) \(Self.number(ty))"
      } else if span > 1 {
        // A long link skipping columns bows away from the nodes it would otherwise run through
        // (alternating sides, so parallel long links stay apart).
        let sx = a.x + dx / length * Self.radius, sy = a.y + dy / length * Self.radius
        let tx = b.x - dx / length * Self.radius, ty = b.y - dy / length * Self.radius
        let side = e.innovation.rawValue % 2 == 0 ? 1.0 : -1.0
        let bend = side * min(12 + 9 * Double(span), 0.25 * length)
        let cx = (sx + tx) / 2 - dy / length * bend, cy = (sy + ty) / 2 + dx / length * bend
        path =
          "M \(Self.number(sx)) \(Self.number(sy)) Q \(Self.number(cx)) \(Self.number(cy)) \(Self.number(tx)) \(Self.number(ty))"
      } else {
        let sx = a.x + dx / length * Self.radius, sy = a.y + dy / length * Self.radius
        let tx = b.x - dx / length * Self.radius, ty = b.y - dy / length * Self.radius
        path = "M \(Self.number(sx)) \(Self.number(sy)) L \(Self.number(tx)) \(Self.number(ty))"
      }
      let note = edgeNotes[e.innovation]
      out +=
        "<g class=\"\(cls)\" id=\"i\(e.innovation.rawValue)\"><title>\(e.source) -> \(e.target)\(e.isRecurrent ? " (recurrent)" : "")\(note.map { ": " + Self.escape($0) } ?? "")</title><path d=\"\(path)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.3\"\(dash) marker-end=\"url(#\(marker))\"/>"
      out += "</g>\n"
      // Notes go on top of everything (after the nodes), so no node hides one.
      if let note, let mid = Self.midpoint(of: path) {
        notes +=
          "<text class=\"note\" x=\"\(Self.number(mid.x))\" y=\"\(Self.number(mid.y - 4))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(stroke)\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\(Self.escape(note))</text>\n"
      }
    }
    for n in nodes {
      let p = position[n.id]!
      let kind = n.kind.rawValue
      let fill = Self.colour(n.activation)
      let strokeWidth = n.kind == .output ? "2.2" : "1.2"
      out +=
        "<g class=\"node \(kind)\" id=\"\(n.id)\"><title>\(n.id) \(kind)\(n.activation.map { " " + $0.name } ?? "")</title>"
      out +=
        "<circle cx=\"\(Self.number(p.x))\" cy=\"\(Self.number(p.y))\" r=\"\(Self.number(Self.radius))\" fill=\"\(fill)\" stroke=\"#333\" stroke-width=\"\(strokeWidth)\"/>"
      switch n.kind {
      case .bias, .input:
        out +=
          "<text x=\"\(Self.number(p.x - Self.radius - 6))\" y=\"\(Self.number(p.y + 4))\" text-anchor=\"end\" font-size=\"12\">\(Self.escape(n.label))</text>"
      case .hidden:
        out +=
          "<text x=\"\(Self.number(p.x))\" y=\"\(Self.number(p.y + 4))\" text-anchor=\"middle\" font-size=\"10\">\(Self.escape(Self.shortName(n.activation!)))</text>"
      case .output:
        out +=
          "<text x=\"\(Self.number(p.x))\" y=\"\(Self.number(p.y + 4))\" text-anchor=\"middle\" font-size=\"10\">\(Self.escape(Self.shortName(n.activation!)))</text>"
        out +=
          "<text x=\"\(Self.number(p.x + Self.radius + 6))\" y=\"\(Self.number(p.y + 4))\" text-anchor=\"start\" font-size=\"12\">\(Self.escape(n.label))</text>"
      }
      out += "</g>\n"
    }
    out += notes
    // Legend of the activations that occur.
    let used = Activation.allCases.filter { a in nodes.contains { $0.activation == a } }
    var x = 12.0
    for a in used {
      out +=
        "<g class=\"legend\"><circle cx=\"\(Self.number(x + 6))\" cy=\"\(Self.number(height - 16))\" r=\"6\" fill=\"\(Self.colour(a))\" stroke=\"#333\"/><text x=\"\(Self.number(x + 16))\" y=\"\(Self.number(height - 12))\" font-size=\"11\">\(Self.escape(Self.shortName(a))) = \(Self.escape(Self.formula(a)))</text></g>\n"
      x += 30 + 7 * Double(Self.formula(a).count + Self.shortName(a).count)
    }
    out += "</svg>\n"
    return out
  }

  /// The point halfway along a path this drawing wrote (`M a L b`, `M a Q c b` or `M a C c d b`),
  /// where an edge's note goes.
  static func midpoint(of path: String) -> (x: Double, y: Double)? {
    let numbers = path.split(separator: " ").compactMap { Double($0) }
    func point(_ i: Int) -> (Double, Double) { (numbers[2 * i], numbers[2 * i + 1]) }
    switch numbers.count {
    case 4:
      let (a, b) = (point(0), point(1))
      return ((a.0 + b.0) / 2, (a.1 + b.1) / 2)
    case 6:
      let (a, c, b) = (point(0), point(1), point(2))
      return (0.25 * a.0 + 0.5 * c.0 + 0.25 * b.0, 0.25 * a.1 + 0.5 * c.1 + 0.25 * b.1)
    case 8:
      let (a, c, d, b) = (point(0), point(1), point(2), point(3))
      return (0.125 * (a.0 + b.0) + 0.375 * (c.0 + d.0), 0.125 * (a.1 + b.1) + 0.375 * (c.1 + d.1))
    default: return nil
    }
  }

  /// Short in-node label of an activation.
  public static func shortName(_ a: Activation) -> String {
    switch a {
    case .linear: "lin"
    case .step: "step"
    case .sine: "sin"
    case .gaussian: "gauss"
    case .tanh: "tanh"
    case .sigmoid: "sigm"
    case .inverse: "inv"
    case .absolute: "abs"
    case .relu: "relu"
    case .cosine: "cos"
    case .squared: "sq"
    }
  }

  static func formula(_ a: Activation) -> String {
    switch a {
    case .linear: "x"
    case .step: "x > 0"
    case .sine: "sin(πx)"
    case .gaussian: "exp(-x²/2)"
    case .tanh: "tanh(x)"
    case .sigmoid: "σ(x)"
    case .inverse: "-x"
    case .absolute: "|x|"
    case .relu: "max(0,x)"
    case .cosine: "cos(πx)"
    case .squared: "x²"
    }
  }

  // MARK: DOT

  /// A Graphviz DOT graph with the same layout intent (`rankdir=LR`, one rank per column).
  /// Render it with `dot -Tsvg net.dot -o net.svg` or `-Tpdf`.
  public func dot() -> String {
    func quote(_ s: String) -> String {
      "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
    var out =
      "digraph wann {\n  graph [rankdir=LR, splines=true, nodesep=0.25, ranksep=1.1, label=\(quote(title)), labelloc=t, fontname=Helvetica];\n"
    out += "  node [shape=circle, style=filled, fontname=Helvetica, fontsize=10, width=0.5, fixedsize=false];\n"
    out += "  edge [color=\"#777777\", arrowsize=0.6];\n"
    for c in 0..<columnCount {
      let members = nodes.filter { $0.column == c }.sorted { $0.row < $1.row }
      guard !members.isEmpty else { continue }
      out += "  { rank=same;\n"
      for n in members {
        let label: String
        switch n.kind {
        case .bias, .input: label = n.label
        case .hidden: label = Self.shortName(n.activation!)
        case .output: label = "\(n.label)\\n\(Self.shortName(n.activation!))"
        }
        let shape = n.kind == .output ? ", shape=doublecircle" : n.kind == .hidden ? "" : ", shape=box"
        out += "    \(n.id) [label=\(quote(label)), fillcolor=\(quote(Self.colour(n.activation)))\(shape)];\n"
      }
      out += "  }\n"
    }
    for e in edges {
      var attributes = ["id=\(quote("i\(e.innovation.rawValue)"))"]
      if e.isRecurrent { attributes += ["style=dashed", "color=\"#c0392b\"", "constraint=false"] }
      if e.isOutputToOutput { attributes += ["style=dashed", "color=\"#2166ac\"", "constraint=false"] }
      if let note = edgeNotes[e.innovation] { attributes += ["label=\(quote(note))", "fontsize=9"] }
      out += "  \(e.source) -> \(e.target) [\(attributes.joined(separator: ", "))];\n"
    }
    out += "}\n"
    return out
  }
}
