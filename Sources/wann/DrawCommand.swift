import ArgumentParser
import Foundation
import WANNAnalysis
import WANNCore
import WANNTasks

struct DrawCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "draw",
    abstract: "Draw a network as SVG (written directly) or Graphviz DOT.",
    discussion: """
      Inputs and the bias on the left (named after the task's inputs), outputs on the right, \
      hidden nodes in columns by depth, every evaluated node labelled with its activation. \
      Recurrent connections are dashed red arcs, output-to-output links dashed blue arcs; \
      disabled genes are left out. The format follows --out's extension: .svg or .dot \
      (render a .dot with `dot -Tpdf net.dot -o net.pdf`). --graphviz makes the .svg with \
      Graphviz's `dot` instead of the built-in layout.
      """)

  @OptionGroup var choice: GenomeChoice
  private var genome: String { choice.genome }

  @Option(help: "Output file: NAME.svg or NAME.dot.")
  var out: String

  @Option(help: "Title (default: the genome reference and task).")
  var title: String?

  @OptionGroup var interpreter: PythonOption

  @Flag(help: "Lay out the .svg with Graphviz `dot` (must be installed) instead of the built-in layout.")
  var graphviz = false

  func validate() throws {
    guard out.hasSuffix(".svg") || out.hasSuffix(".dot") else {
      throw ValidationError("--out must end in .svg or .dot (got '\(out)')")
    }
    if graphviz && !out.hasSuffix(".svg") { throw ValidationError("--graphviz renders SVG: give --out NAME.svg") }
  }

  func run() throws {
    let task = try choice.requestedTask()
    let target = try AnalysisTarget.resolve(genome, task: task)
    let t = try Tasks.interface(target.task)
    let caption =
      title
      ?? (target.archivePath.map { path in
        "\(target.task.rawValue): genome \(target.generation)/\(target.index) of \(URL(fileURLWithPath: path).lastPathComponent)\(target.runName.map { " [\($0)]" } ?? "")"
      } ?? "\(target.reference) (\(target.task.rawValue))")
    let drawing = NetworkDrawing(
      target.genome, inputLabels: t.inputLabels, outputLabels: t.outputLabels, title: caption)
    try Self.write(drawing, to: out, graphviz: graphviz)
    let recurrent = drawing.edges.filter(\.isRecurrent).count
    Output.line(
      "wrote \(out): \(drawing.nodes.count) nodes, \(drawing.edges.count) connections\(recurrent > 0 ? " (\(recurrent) recurrent)" : "")"
    )
  }

  /// Writes `drawing` to `path` in the format its extension names (.dot, else SVG: built in, or
  /// laid out by Graphviz when `graphviz`), creating the folder if needed.
  static func write(_ drawing: NetworkDrawing, to path: String, graphviz: Bool = false) throws {
    let text = path.hasSuffix(".dot") ? drawing.dot() : graphviz ? try renderWithGraphviz(drawing.dot()) : drawing.svg()
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
      throw CLIError("cannot write \(path): \(error.localizedDescription)")
    }
  }

  static func renderWithGraphviz(_ dot: String) throws -> String {
    let search = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    guard let exe = search.map({ "\($0)/dot" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else {
      throw CLIError(
        "--graphviz needs Graphviz's `dot` on PATH (Debian: apt-get install graphviz; scripts/test installs it), or leave --graphviz out for the built-in SVG"
      )
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: exe)
    process.arguments = ["-Tsvg"]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(dot.utf8))
    try input.fileHandleForWriting.close()
    let svg = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CLIError(
        "dot failed (status \(process.terminationStatus)): \(String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
      )
    }
    return String(decoding: svg, as: UTF8.self)
  }
}
