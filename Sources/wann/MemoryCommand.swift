import ArgumentParser
import Foundation
import WANNAnalysis
import WANNCore
import WANNTasks

/// The `--json` output of `wann memory`.
struct MemoryReport: Codable, Equatable {
  struct Link: Codable, Equatable {
    var innovation: Int64
    var source: String
    var target: String
  }
  struct Variant: Codable, Equatable {
    /// Innovations of the recurrent links this variant lacks ([] for the intact network).
    var cut: [Int64]
    var weightMeans: [Double]
    var mean: Double
    var best: Double
    var bestWeight: Double
  }
  var task: String
  var genome: String
  var weights: [Double]
  var trials: Int
  var seed: UInt64
  var links: [Link]
  var intact: Variant
  var allCut: Variant?
  var single: [Variant]
}

struct MemoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "memory",
    abstract: "How a recurrent network remembers: its recurrent links, and its reward with each cut.",
    discussion: """
      A WANN's only memory is its recurrent links (each reads its source's value from the \
      previous step). This lists the links of the network's expressed genes and scores the \
      network intact, with every recurrent link cut (a memoryless policy) and with each link cut \
      alone, all on the same episodes (common random numbers, the episodes of `wann evaluate` \
      with the same --seed). Each variant is read two ways: the mean over the shared weights \
      (the search's reading) and the best weight's mean (POPGym's MMER reading). --draw writes \
      the network with each recurrent link labelled by what cutting it costs.
      """)

  @OptionGroup var choice: GenomeChoice
  private var genome: String { choice.genome }

  @Option(
    parsing: .unconditional,
    help: "Weight values: a comma list or lo:hi:n. Default: the six of the search, -2,-1,-0.5,0.5,1,2.",
    transform: WeightList.parse)
  var weights: [Double] = WeightList.searchWeights

  @OptionGroup var episodes: EpisodeOptions
  var trials: Int { episodes.trials }
  var seed: UInt64 { episodes.seed }

  @Option(
    help:
      "Also draw the network (NAME.svg or NAME.dot), each recurrent link labelled with the change in mean reward when it is cut."
  )
  var draw: String?

  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: JSONOption

  func validate() throws {
    if let draw, !(draw.hasSuffix(".svg") || draw.hasSuffix(".dot")) {
      throw ValidationError("--draw must end in .svg or .dot (got '\(draw)')")
    }
  }

  func run() throws {
    let target = try choice.resolve()
    let weightValues = weights
    // Up to 2 + links variants are scored: the bound on rollouts holds per variant.
    try Limits.checkRollouts(weights: weightValues.count, trials: trials)
    let interface = try Tasks.interface(target.task)
    let settings = MemoryAblation.Settings(weights: weightValues, trials: trials, seed: seed)
    let result: MemoryAblation
    do {
      result = try MemoryAblation.measure(
        target.genome, task: try Tasks.make(target.task), settings: settings,
        evaluator: threads.localEvaluator)
    } catch let error as CLIError { throw error } catch {
      throw CLIError("\(genome): cannot evaluate the genome: \(error)")
    }
    let name = Self.nodeNamer(target.genome, interface: interface)
    func variant(_ v: MemoryAblation.Variant) -> MemoryReport.Variant {
      MemoryReport.Variant(
        cut: v.cut.map(\.rawValue), weightMeans: v.weightMeans, mean: v.mean, best: v.best,
        bestWeight: weightValues[v.bestWeightIndex])
    }
    let report = MemoryReport(
      task: target.task.rawValue, genome: genome, weights: weightValues, trials: trials, seed: seed,
      links: result.links.map {
        .init(innovation: $0.innovation.rawValue, source: name($0.source), target: name($0.target))
      },
      intact: variant(result.intact), allCut: result.allCut.map(variant), single: result.single.map(variant))

    if let draw {
      let caption =
        "\(target.task.rawValue): \(target.reference), recurrent links labelled with the change in mean reward when cut"
      var drawing = NetworkDrawing(
        target.genome, inputLabels: interface.inputLabels, outputLabels: interface.outputLabels, title: caption)
      for (link, v) in zip(result.links, result.single) {
        drawing.edgeNotes[link.innovation] = ExperimentReportCommand.signed(v.mean - result.intact.mean, 2)
      }
      try DrawCommand.write(drawing, to: draw)
    }
    if output.json {
      Output.line(Output.json(report))
      return
    }
    let g = target.genome
    Output.line(
      "# \(genome): \(g.activeConnectionCount) connections, \(result.links.count) of them recurrent; task \(target.task.rawValue); \(trials) episodes x \(weightValues.count) weights, seed \(seed)"
    )
    guard !result.links.isEmpty else {
      Output.line(
        "# no recurrent links: this network has no memory (mean over weights \(Output.fixed(result.intact.mean, 3)), best weight \(Output.fixed(result.intact.best, 3)))"
      )
      return
    }
    var rows: [(String, MemoryAblation.Variant)] = [("intact", result.intact)]
    if let allCut = result.allCut { rows.append(("every recurrent link cut", allCut)) }
    if result.links.count > 1 {
      rows += zip(result.links, result.single).map { link, v in
        ("cut \(link.innovation): \(name(link.source)) -> \(name(link.target))", v)
      }
    }
    let width = rows.map(\.0.count).max()! + 2
    Output.line(
      "# " + "variant".padding(toLength: width - 2, withPad: " ", startingAt: 0)
        + "mean over weights    change   best weight (w)")
    for (label, v) in rows {
      let change = v.cut.isEmpty ? "" : ExperimentReportCommand.signed(v.mean - result.intact.mean, 3)
      Output.line(
        label.padding(toLength: width, withPad: " ", startingAt: 0)
          + Output.fixed(v.mean, 3).leftPadded(to: 17) + change.leftPadded(to: 10)
          + "   \(Output.fixed(v.best, 3)) (\(Output.fixed(weightValues[v.bestWeightIndex], 2)))")
    }
    if result.links.count == 1, let link = result.links.first {
      Output.line("# the one recurrent link: \(link.innovation), \(name(link.source)) -> \(name(link.target))")
    }
    if let draw { Output.line("# drawing: \(draw)") }
  }

  /// Names a node by its role: the task's input and output names, "bias", or "hidden nID (activation)".
  static func nodeNamer(_ genome: Genome, interface: TaskInterface) -> (NodeID) -> String {
    var inputs = 0, outputs = 0
    var names = [NodeID: String]()
    for n in genome.nodes {
      switch n.kind {
      case .bias: names[n.id] = "bias"
      case .input:
        names[n.id] =
          inputs < interface.inputLabels.count ? "input \(interface.inputLabels[inputs])" : "input \(inputs + 1)"
        inputs += 1
      case .output:
        names[n.id] =
          outputs < interface.outputLabels.count ? "output \(interface.outputLabels[outputs])" : "output \(outputs + 1)"
        outputs += 1
      case .hidden: names[n.id] = "hidden \(n.id) (\(NetworkDrawing.shortName(n.activation)))"
      }
    }
    return { names[$0] ?? "\($0)" }
  }
}

private extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
