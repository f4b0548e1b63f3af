import ArgumentParser
import Foundation
import WANNCore

/// The `--json` output of `wann act`.
struct ActReport: Codable, Equatable {
  var genome: String
  var weight: Double?
  /// The connection weights used instead of the shared one (innovation -> weight), if given.
  var connectionWeights: [String: Double]?
  var inputs: [[Double]]
  var outputs: [[Double]]
}

struct ActCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "act",
    abstract: "Feed a genome's network a sequence of inputs and print its outputs, step by step.",
    discussion: """
      Each row of --inputs (CSV: one value per input, no bias; '#' lines skipped) is one time step \
      of one episode: recurrent connections carry the previous step's values, starting from 0. \
      Prints one row of outputs per step, with every digit (%.17g), so that other implementations \
      (the Python package's wann_h5.Network) can be checked against the engine bit for bit. \
      --connection-weights FILE.json ({"INNOVATION": weight, ...}, every active connection) \
      replaces the shared weight by individual weights.
      """)

  @Option(help: "Genome: FILE.h5#champion or FILE.h5#GENERATION/INDEX, a .out file or a .json genome.")
  var genome: String

  @Option(help: "Task the genome solves (default: the archive's or JSON file's task, else swingup).")
  var task: TaskKind?

  @OptionGroup var environment: EnvironmentOptions

  @OptionGroup var interpreter: PythonOption

  @Option(help: "CSV file of inputs, one row per step.")
  var inputs: String

  @Option(parsing: .unconditional, help: "The shared weight.")
  var weight: Double = 1

  @Option(help: "JSON object of individual connection weights by innovation number.")
  var connectionWeights: String?

  @OptionGroup var output: JSONOption

  func run() throws {
    let task = try environment.apply(to: self.task)
    let (g, _) = try Inputs.genome(reference: genome, task: task)
    let network: Network
    do { network = try Network(g) } catch { throw CLIError("\(genome): cannot evaluate the genome: \(error)") }
    let rows = try Self.readRows(inputs, width: network.inputCount)
    var individual: [Double]?
    var given: [String: Double]?
    if let connectionWeights {
      let text = try Inputs.readText(connectionWeights, what: "connection weights")
      guard let object = try? JSONDecoder().decode([String: Double].self, from: Data(text.utf8)) else {
        throw CLIError(
          "\(connectionWeights): expected a JSON object of innovation numbers to weights, e.g. {\"12\": 0.5}")
      }
      given = object
      individual = try network.connectionInnovations.map { innovation in
        guard let w = object[String(innovation.rawValue)] else {
          throw CLIError(
            "\(connectionWeights): no weight for connection \(innovation) (the network's connections: \(network.connectionInnovations.map { String($0.rawValue) }.joined(separator: ", ")))"
          )
        }
        return w
      }
    }
    var evaluator = NetworkEvaluator()
    evaluator.load(network)
    evaluator.resetState()
    if let individual { evaluator.setConnectionWeights { individual[$0] } }
    var outputs: [[Double]] = []
    for row in rows {
      for (i, x) in row.enumerated() { evaluator.setInput(i, x) }
      if individual == nil { evaluator.forward(weight: weight) } else { evaluator.forward() }
      outputs.append((0..<network.outputCount).map { evaluator.output($0) })
    }
    if output.json {
      Output.line(
        Output.json(
          ActReport(
            genome: genome, weight: individual == nil ? weight : nil, connectionWeights: given,
            inputs: rows, outputs: outputs)))
      return
    }
    for o in outputs { Output.line(o.map { String(format: "%.17g", $0) }.joined(separator: ",")) }
  }

  /// The CSV rows of `path`, each with exactly `width` numbers.
  static func readRows(_ path: String, width: Int) throws -> [[Double]] {
    let text = try Inputs.readText(path, what: "inputs")
    var rows: [[Double]] = []
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let fields = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard fields.count == width else {
        throw CLIError("\(path):\(n + 1): \(fields.count) value(s), but the network has \(width) input(s)")
      }
      rows.append(
        try fields.map { f in
          guard let x = Double(f) else { throw CLIError("\(path):\(n + 1): '\(f)' is not a number") }
          return x
        })
    }
    guard !rows.isEmpty else { throw CLIError("\(path): no rows of inputs") }
    guard rows.count <= 1_000_000 else { throw CLIError("\(path): more than 1,000,000 rows") }
    return rows
  }
}
