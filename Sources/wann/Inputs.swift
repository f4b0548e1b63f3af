import ArgumentParser
import Foundation
import WANNCore
import WANNExperiments
import WANNArchive
import WANNTasks

extension TaskKind: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument) }
  public static var defaultCompletionKind: CompletionKind { .list(TaskKind.builtins.map(\.rawValue)) }

  /// The task's name as a file name's stem: a built-in's name, or gym- and the environment with
  /// every character other than letters, digits, '.', '-' and '_' as '-' (and a checksum of the
  /// kwargs, where there are any).
  var fileStem: String {
    guard let spec = gym else { return rawValue }
    let env = String(
      spec.environment.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
    guard !spec.kwargs.isEmpty else { return "gym-" + env }
    var h: UInt32 = 2_166_136_261
    for b in spec.kwargs.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
    return "gym-\(env)-\(String(h, radix: 16))"
  }
}

/// A list of weight values: `a,b,c` or `lo:hi:n` (n evenly spaced values, both ends included).
/// Every `--weights`-like option parses through `parse` as its `@Option(transform:)`, so a bad
/// list is refused while parsing, with the same message everywhere.
enum WeightList {
  /// The six shared weights a search scores every genome at (the paper's series).
  static let searchWeights = EvaluationConfig().weights

  /// `n` evenly spaced values from `lo` to `hi`, both included.
  static func grid(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] {
    (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
  }

  @Sendable static func parse(_ text: String) throws -> [Double] {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.contains(":") {
      let parts = t.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 3, let lo = Double(parts[0]), let hi = Double(parts[1]), let n = Int(parts[2]),
        lo.isFinite, hi.isFinite
      else { throw CLIError("bad weight range '\(text)': expected lo:hi:n, e.g. -2:2:41") }
      guard (2...Limits.weightValues.upperBound).contains(n) else {
        throw CLIError(
          "bad weight range '\(text)': n must be in 2...\(Limits.weightValues.upperBound) (for one weight, write the value alone, e.g. --weights=0.5)"
        )
      }
      guard lo < hi else { throw CLIError("bad weight range '\(text)': lo must be below hi") }
      return grid(lo, hi, n)
    }
    var out: [Double] = []
    for p in t.split(separator: ",", omittingEmptySubsequences: false) {
      guard let v = Double(p.trimmingCharacters(in: .whitespaces)), v.isFinite else {
        throw CLIError("bad weight list '\(text)': '\(p)' is not a number (expected e.g. -2,-1,1,2 or -2:2:41)")
      }
      out.append(v)
    }
    guard out.count <= Limits.weightValues.upperBound else {
      throw CLIError("bad weight list: \(out.count) values, at most \(Limits.weightValues.upperBound)")
    }
    return out
  }
}

enum Inputs {
  static func readText(_ path: String, what: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(what) '\(path)' does not exist") }
    do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw CLIError("cannot read \(what) '\(path)': \(error.localizedDescription)")
    }
  }

  /// A config from a TOML file (or the task's defaults), with command-line overrides applied.
  static func config(file: String?, task: TaskKind?) throws -> SearchConfig {
    guard let file else { return SearchConfig.defaults(for: task ?? .swingup) }
    let text = try readText(file, what: "config file")
    lookForEnvironmentModules(beside: file)
    let config: SearchConfig
    do { config = try SearchConfig(toml: text, defaultTask: task ?? .swingup) } catch {
      throw CLIError("\(file): \(error)")
    }
    if let task, task != config.task {
      throw CLIError("--task \(task.rawValue) contradicts task = \"\(config.task.rawValue)\" in \(file)")
    }
    return config
  }

  /// A gym: task's environment module may lie beside its config or its archive
  /// (docs/gymnasium.md): the workers look in that file's folder first (WANN_GYM_PATH, which the
  /// workers put in front of their Python path).
  static func lookForEnvironmentModules(beside file: String) {
    let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
    let before = ProcessInfo.processInfo.environment["WANN_GYM_PATH"].map { ":" + $0 } ?? ""
    setenv("WANN_GYM_PATH", folder + before, 1)
  }

  /// Splits `FILE.h5#champion` / `FILE.h5#G/I` into the archive path and the selector.
  static func archiveReference(_ ref: String) -> (path: String, selector: String)? {
    if let hash = ref.lastIndex(of: "#") {
      let path = String(ref[..<hash])
      if path.hasSuffix(".json") { return nil }  // FILE.json#I: a genome of a `wann export` file
      return (path, String(ref[ref.index(after: hash)...]))
    }
    if ref.hasSuffix(".h5") || ref.hasSuffix(".hdf5") { return (ref, "champion") }
    return nil
  }

  /// A genome stored in a run archive: `#champion` (the run's champion) or `#G/I` (genome I
  /// of generation G), with `RUN/` in front in a multi-run archive.
  static func archivedGenome(path: String, selector: String) throws -> (Genome, TaskKind) {
    let target = try AnalysisTarget.resolve("\(path)#\(selector)", task: nil)
    return (target.genome, target.task)
  }

  /// A genome from a run archive (`FILE.h5#champion`, `FILE.h5#G/I`), the original release's
  /// `.out` format, or our JSON genome document. `task` nil means: the archive's or JSON's task,
  /// else swing-up.
  static func genome(reference: String, task: TaskKind?) throws -> (Genome, TaskKind) {
    if let hash = reference.lastIndex(of: "#"), reference[..<hash].hasSuffix(".json") {
      // FILE.json#I: genome I of a generation exported by `wann export`.
      let path = String(reference[..<hash]), selector = reference[reference.index(after: hash)...]
      guard let index = Int(selector) else {
        throw CLIError("bad genome reference '\(reference)': use FILE.json#INDEX for a genome of a `wann export` file")
      }
      let doc = try genomeDocument(readText(path, what: "genome file"), path: path, index: index)
      if let task, task != doc.task {
        throw CLIError("\(path) holds \(doc.task.rawValue) genomes, not \(task.rawValue)")
      }
      return (try checked(doc, path: path, task: doc.task), doc.task)
    }
    if let (path, selector) = archiveReference(reference) {
      let (genome, archived) = try archivedGenome(path: path, selector: selector)
      if let task, task != archived {
        throw CLIError(
          "\(path) holds a \(archived.rawValue) run, not \(task.rawValue): pass --task \(archived.rawValue) or leave --task out"
        )
      }
      return (genome, archived)
    }
    if task == nil, reference.hasSuffix(".json"),
      let doc = try? genomeDocument(readText(reference, what: "genome file"), path: reference)
    {
      return (try genome(path: reference, task: doc.task), doc.task)
    }
    let t = task ?? .swingup
    return (try genome(path: reference, task: t), t)
  }

  /// A genome from the original release's `.out` format or our JSON genome document.
  static func genome(path: String, task: TaskKind) throws -> Genome {
    let text = try readText(path, what: "genome file")
    let t = try Tasks.interface(task)
    if path.hasSuffix(".out") || path.hasSuffix(".csv") {
      do {
        return try OriginalNetwork(csv: text, inputs: t.inputLabels.count, outputs: t.outputLabels.count).genome
      } catch {
        throw CLIError("\(path) is not a valid original-release network for task \(task.rawValue): \(error)")
      }
    }
    if path.hasSuffix(".json") {
      return try checked(try genomeDocument(text, path: path), path: path, task: task)
    }
    throw CLIError(
      "unknown genome format '\(path)': expected a .out file (original release) or a .json genome written by wann search"
    )
  }

  /// A genome document: one written by `wann search --champion`, or a `wann export` file that
  /// holds exactly one genome (`--champion`, or a one-genome generation).
  static func genomeDocument(_ text: String, path: String, index: Int? = nil) throws -> GenomeDocument {
    let data = Data(text.utf8)
    if text.drop(while: \.isWhitespace).first == "[" {
      let entries: [ExportCommand.Entry]
      do { entries = try JSONDecoder().decode([ExportCommand.Entry].self, from: data) } catch {
        throw CLIError("\(path) is not a wann export file: \(describe(error))")
      }
      if let index {
        guard let e = entries.first(where: { $0.index == index }) else {
          throw CLIError(
            "\(path) has no genome \(index) (indices \(entries.map(\.index).min() ?? 0)...\(entries.map(\.index).max() ?? 0))"
          )
        }
        return e.document
      }
      guard entries.count == 1 else {
        throw CLIError(
          "\(path) holds \(entries.count) genomes (a generation export): name one as \(path)#INDEX, or export one with `wann export ARCHIVE --champion`"
        )
      }
      return entries[0].document
    }
    do { return try JSONDecoder().decode(GenomeDocument.self, from: data) } catch {
      throw CLIError("\(path) is not a wann genome JSON file: \(describe(error))")
    }
  }

  /// A genome document's genome, after checking its format, version, task and shape.
  static func checked(_ doc: GenomeDocument, path: String, task: TaskKind) throws -> Genome {
    let t = try Tasks.interface(task)
    guard doc.format == GenomeDocument.formatName else {
      throw CLIError("\(path): format is '\(doc.format)', expected '\(GenomeDocument.formatName)'")
    }
    guard doc.version <= GenomeDocument.currentVersion else {
      throw CLIError(
        "\(path) has genome format version \(doc.version); this wann reads up to \(GenomeDocument.currentVersion): update wann"
      )
    }
    guard doc.task == task else {
      throw CLIError(
        "\(path) holds a \(doc.task.rawValue) genome, not \(task.rawValue): pass --task \(doc.task.rawValue)")
    }
    if let problem = doc.genome.invariantViolation(in: SearchSpace(recurrent: true, outputToOutput: true)) {
      throw CLIError("\(path): invalid genome: \(problem)")
    }
    guard doc.genome.inputCount == t.inputLabels.count, doc.genome.outputCount == t.outputLabels.count else {
      throw CLIError(
        "\(path): genome has \(doc.genome.inputCount) inputs/\(doc.genome.outputCount) outputs, task \(task.rawValue) needs \(t.inputLabels.count)/\(t.outputLabels.count)"
      )
    }
    return doc.genome
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let c):
      let at = c.codingPath.map(\.stringValue).joined(separator: ".")
      return at.isEmpty ? c.debugDescription : "\(c.debugDescription) (at '\(at)')"
    case DecodingError.keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
    case DecodingError.typeMismatch(_, let c):
      return "wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.valueNotFound(_, let c):
      return "missing value at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
    default: return "\(error)"
    }
  }

  static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

enum Output {
  static func json<T: Encodable>(_ value: T) -> String { JSONText.compact(value) }

  static func prettyJSON<T: Encodable>(_ value: T) -> String { JSONText.pretty(value) }

  static func line(_ s: String) {
    print(s)
    fflush(nil)
  }

  static func err(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

  /// Pads to `width` characters: right-aligned for positive widths, left-aligned for negative.
  static func pad(_ s: String, _ width: Int) -> String {
    let n = abs(width) - s.count
    guard n > 0 else { return s }
    let fill = String(repeating: " ", count: n)
    return width > 0 ? fill + s : s + fill
  }

  static func fixed(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

  /// A p-value as reports print it: three decimals, or two significant digits below 0.001 (with
  /// 10 + 10 seeds an exact Mann-Whitney p goes down to 1.1e-05, which "0.000" would hide).
  static func pValue(_ p: Double) -> String {
    p >= 0.001 || p.isNaN ? String(format: "%.3f", p) : String(format: "%.1e", p)
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600
      ? "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
      : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
  }
}

/// A one-line progress bar on stderr, shown only when stderr is a terminal.
struct ProgressLine {
  let enabled: Bool
  let total: Int

  func update(done: Int, elapsed: Double, of planned: Int? = nil, unit: String = "generations") {
    let total = planned ?? self.total
    guard enabled, total > 0 else { return }
    let width = 30
    let filled = min(width, done * width / total)
    let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    FileHandle.standardError.write(
      Data(
        "\r\u{1B}[2K[\(bar)] \(done)/\(total) \(unit), \(Output.duration(elapsed)) elapsed, ETA \(Output.duration(eta))"
          .utf8))
  }

  func clear() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
  }
}
