import Foundation
import Testing

@testable import WANNCore

/// The TOML reader against Python's `tomllib` (the standard library's TOML 1.0 parser) on a corpus
/// of documents: every document in the subset the reader supports is either accepted by both with
/// equal values or refused by both; documents outside the subset (valid TOML the reader does not
/// support) are refused with a message that says "not supported".
@Suite struct TOMLCorpusTests {
  /// Valid TOML inside the supported subset, and invalid TOML: the two parsers must agree.
  static let corpus: [String] = [
    // Accepted.
    "", "# only a comment\n\n   \n", "a = 1", "a = 1\r\nb = 2\r\n", "  a   =   1   # trailing comment",
    "[t]\nx = \"s\"\ny = 'lit\\eral'", "a.b = 1\n[x.y]\nz = 2", "\"quoted key\" = 1\n'literal key' = 2",
    "[\"quoted table\"]\nk = 1", "bare-key_1 = 1\n1234 = 2", "a = 1_000\nb = +5\nc = -0\nd = 0\ne = -17",
    "i = 9223372036854775807\nj = -9223372036854775808",
    "f = 1.5\ng = -2e3\nh = 1e-7\ni = 6.02E+23\nj = 1_000.5\nk = 3.14159265358979323846\nl = 0.1",
    "a = 5e+22\nb = 1e308\nc = 4.9e-324\nd = -0.0\ne = 1_0.2_5e1_0", "a = inf\nb = -inf\nc = +inf\nd = nan\ne = +nan",
    "t = true\nf = false", "a = [1, 2, 3]\nb = []\nc = [[1, 2], [3]]\nd = [1, \"a\", 2.5, true]",
    "a = [\n  1,  # one\n  2,\n  # a comment line\n  3,\n]", "a = [ \"x\" , 'y' ]",
    "s = \"a\\tb\\n\\\"q\\\"\\\\ \\u00e9 \\U0001F600\"", "s = \"é日本\"\nt = 'ü'",
    "s = \"value\" # comment with \"quotes\"", "[a]\n[b]\nx = 1", "[a]\nb.c = 1\n[d.e.f]\ng = 2",
    "[a.b]\nx = 1\n[a.c]\ny = 2", "a = \"\"\nb = ''", "s = \"# not a comment\"",
    // Refused.
    "a = 007", "a = .5", "a = 5.", "a = 1.e5", "a = 1__0", "a = _1", "a = 1_", "a = 1e", "a = Inf",
    "a = 1\na = 2", "[t]\n[t]", "[t]\nx = 1\n[t]\ny = 2",
    "a =", "a = ", "= 1", "a = 1 b = 2", "a = \"unterminated", "a = [1, 2", "a = [1 2]", "a = tru",
    "a = true false", "[t", "[]", "a = \"\\x\"", "a = \"\\u12\"", "a$ = 1", "a = 'multi\nline'", "a.b = 1\na = 2",
    "a = 1\n[a]", "[a]\nb = 1\n[a.b]", "a = 1\na.b = 2", "a = --1", "a = 1.2.3", "a = 0x", "a = [,]",
    "a = [1,,2]", "a.  = 1", "a = 1\n\n[x]\nx = 1\n[x]", "a.b = 1\n[a]", "[a]\nb.c = 1\n[a.b]",
    "[a.b]\nx = 1\n[a]\nb.y = 2", "a = 1\n[a.b]",
    // Accepted again: a sub-table of a table made by dotted keys, a super-table after its child.
    "[a]\nb.c = 1\n[a.b.d]\ne = 2", "[a.b]\nx = 1\n[a]\ny = 2",
  ]

  /// Integers beyond 64 bits: tomllib reads them (Python's integers have no limit); TOML 1.0 says
  /// a reader must refuse what it cannot hold without loss, and the reader does.
  static let beyondSixtyFourBits = ["a = 9223372036854775808", "a = -9223372036854775809"]

  /// Valid TOML the reader does not support (the configs need none of it).
  static let outsideTheSubset: [String] = [
    "a = { x = 1 }", "[[arr]]\nx = 1", "s = \"\"\"multi\nline\"\"\"", "s = '''raw'''", "d = 1979-05-27",
    "t = 07:32:00", "h = 0xDEAD", "o = 0o17", "b = 0b101",
  ]

  @Test func everyDocumentIsReadAsTomllibReadsIt() throws {
    let read = try Self.results(of: Self.corpus + Self.outsideTheSubset)
    let python = try #require(read, "a python3 with tomllib (3.11 or later) runs the reference")
    var mismatches: [String] = []
    for (document, theirs) in zip(Self.corpus, python.prefix(Self.corpus.count)) {
      let ours = Self.canonical(document)
      let agree =
        switch (ours, theirs) {
        case (.success(let a), .success(let b)): a == b
        case (.failure, .failure): true
        default: false
        }
      if !agree { mismatches.append("\(document.debugDescription): ours \(ours), tomllib \(theirs)") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) disagreements:\n\(mismatches.joined(separator: "\n"))")
    for (document, theirs) in zip(Self.outsideTheSubset, python.suffix(Self.outsideTheSubset.count)) {
      guard case .success = theirs else {
        Issue.record("tomllib refuses \(document.debugDescription), which this test calls valid TOML")
        continue
      }
      let message: String
      do {
        _ = try TOMLDocument(parsing: document)
        Issue.record("\(document.debugDescription) is read, though the reader says it does not support it")
        continue
      } catch { message = error.description }
      #expect(message.contains("not supported"), "\(document.debugDescription): \(message)")
    }
    for document in Self.beyondSixtyFourBits {
      #expect(throws: ConfigError.self, "\(document)") { try TOMLDocument(parsing: document) }
    }
  }

  /// A value as both sides write it: its type, then its exact content (a float's bits, a string's
  /// UTF-8 bytes), so that equal text means equal values.
  static func canonical(_ value: TOMLValue) -> String {
    switch value {
    case .integer(let i): "i\(i)"
    case .float(let d): d.isNaN ? "fnan" : "f\(Int64(bitPattern: d.bitPattern))"
    case .boolean(let b): "b\(b)"
    case .string(let s): "s" + s.utf8.map { String(format: "%02x", $0) }.joined()
    case .array(let items): "[" + items.map(canonical).joined(separator: ",") + "]"
    }
  }

  /// The document's keys (dotted, sorted) and values, or the error.
  static func canonical(_ document: String) -> Result<String, ConfigError> {
    Result { () throws(ConfigError) in
      try TOMLDocument(parsing: document).entries.map { "\($0.key)=\(canonical($0.value))" }.sorted()
        .joined(separator: "\n")
    }
  }

  /// tomllib's reading of each document, canonical as above (nil when no Python with tomllib runs).
  static func results(of documents: [String]) throws -> [Result<String, ConfigError>]? {
    let script = """
      import json, struct, sys, tomllib, math
      def canon(v):
          if isinstance(v, bool): return "b" + ("true" if v else "false")
          if isinstance(v, int): return "i%d" % v
          if isinstance(v, float):
              return "fnan" if math.isnan(v) else "f%d" % struct.unpack("<q", struct.pack("<d", v))[0]
          if isinstance(v, str): return "s" + v.encode().hex()
          if isinstance(v, list): return "[" + ",".join(canon(x) for x in v) + "]"
          return "?" + type(v).__name__  # tables in arrays, dates: outside the subset
      def flat(d, prefix=""):
          for k, v in d.items():
              if isinstance(v, dict): yield from flat(v, prefix + k + ".")
              else: yield prefix + k + "=" + canon(v)
      out = []
      for doc in json.load(sys.stdin):
          try: out.append({"ok": "\\n".join(sorted(flat(tomllib.loads(doc))))})
          except Exception as e: out.append({"error": str(e)})
      json.dump(out, sys.stdout)
      """
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let venv = root.appendingPathComponent(".venv/bin/python").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3", "-c", script]
    let input = Pipe(), output = Pipe()
    (p.standardInput, p.standardOutput) = (input, output)
    try p.run()
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: documents))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0, let list = try JSONSerialization.jsonObject(with: data) as? [[String: String]]
    else {
      return nil
    }
    return list.map { entry in
      if let ok = entry["ok"] { return .success(ok) }
      return .failure(.syntax(line: 0, message: entry["error"] ?? "?"))
    }
  }
}
