import Foundation
import Testing
import WANNTestSupport

/// Runs the built `wann` binary end to end.
@Suite(.serialized) struct CLITests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let swingOut = root.appendingPathComponent("reference/original-champions/swing.out").path

  /// The binary sits beside the tests in the build products folder.
  static var binary: URL { BuildProducts.wann }

  struct Result { let status: Int32; let stdout: String; let stderr: String }

  static func wann(_ args: [String], in dir: URL? = nil) throws -> Result {
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    p.currentDirectoryURL = dir ?? root
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }

  static func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("wann-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }

  /// Bad input: exit status 2 and one line on stderr that names the problem.
  @Test(arguments: [
    (["search", "--task", "pong"], "pong"),
    (["evaluate", "--genome", "/nonexistent/net.out"], "does not exist"),
    (["evaluate", "--genome", "SWING", "--weights", "-2:x:3"], "bad weight range"),
    (["evaluate", "--genome", "SWING", "--weights", "1,,2"], "bad weight list"),
    (["evaluate", "--genome", "BADGENOME"], "not a valid original-release network"),
    (["evaluate", "--genome", "BADJSON"], "not a wann genome JSON file"),
    (["search", "--config", "BADTOML"], "TOML syntax error on line 2"),
    (["search", "--config", "TYPOTOML"], "unknown key 'population.sise'"),
    (["search", "--threads", "0"], "--threads must be in 1...1024"),
    (["frobnicate"], "frobnicate"),
    (["draw", "SWING", "--out", "net.png"], "--out must end in .svg or .dot"),
    (["profile", "SWING", "--every", "4"], "give a run archive"),
    (["profile", "/nonexistent/run.h5#champion"], "does not exist"),
    (["conditions", "SWING", "--budget", "5"], "raise --budget"),
    (["profile", "BADTOML"], "unknown genome format"),
    (["search", "--task", "swingp"], "unknown task 'swingp': did you mean 'swingup'?"),
    (["compare", "--task", "popgym-repeat-previos-easy"], "did you mean 'popgym-repeat-previous-easy'?"),
    (["search", "--pop", "5"], "unknown option '--pop' for wann search: did you mean '--population'?"),
    (["experiment", "report", "x.h5", "--scor", "mean"], "for wann experiment report: did you mean '--score'?"),
    (["memory", "SWING", "--draw", "net.png"], "--draw must end in .svg or .dot"),
    (["memory", "SWING", "--trials", "0"], "--trials"),
    (["memory", "/nonexistent/run.h5#champion"], "does not exist"),
    (["bench", "--threads", "1,2"], "measure several with --thread-counts 1,2"),
    (["bench", "--threads", "1", "--thread-counts", "1,2"], "not both"),
    (["bench", "--workloads", "rescore,nope"], "unknown workload 'nope'"),
  ])
  func badInputGivesOneLineAndStatus2(_ args: [String], _ needle: String) throws {
    let dir = try Self.tempDir()
    try "0,1,1\n0,0\n".write(to: dir.appendingPathComponent("bad.out"), atomically: true, encoding: .utf8)
    try "{\"format\": 3}".write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
    try "seed = 1\n[population\n".write(to: dir.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
    try "[population]\nsise = 3\n".write(to: dir.appendingPathComponent("typo.toml"), atomically: true, encoding: .utf8)
    let resolved = args.map { a -> String in
      switch a {
      case "SWING": Self.swingOut
      case "BADGENOME": dir.appendingPathComponent("bad.out").path
      case "BADJSON": dir.appendingPathComponent("bad.json").path
      case "BADTOML": dir.appendingPathComponent("bad.toml").path
      case "TYPOTOML": dir.appendingPathComponent("typo.toml").path
      default: a
      }
    }
    let r = try Self.wann(resolved, in: dir)
    #expect(r.status == 2, "\(args): status \(r.status), stderr \(r.stderr)")
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(args): \(r.stderr)")
    #expect(r.stderr.hasPrefix("wann: error: ") && r.stderr.contains(needle), "\(args): \(r.stderr)")
    #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
  }

  @Test func helpExplainsEveryCommand() throws {
    let r = try Self.wann(["--help"])
    #expect(r.status == 0)
    for c in ["search", "evaluate", "bench", "profile", "conditions", "memory", "draw"] {
      #expect(r.stdout.contains(c))
      let sub = try Self.wann([c, "--help"])
      #expect(sub.status == 0 && sub.stdout.contains("OPTIONS"))
    }
  }

  @Test func evaluateJSONHasTheArrays() throws {
    let r = try Self.wann(["evaluate", "--genome", Self.swingOut, "--weights", "-2:2:5", "--trials", "3", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    #expect(obj["weights"] as? [Double] == [-2, -1, 0, 1, 2])
    #expect((obj["mean"] as? [Double])?.count == 5)
    #expect((obj["std"] as? [Double])?.count == 5)
    #expect(obj["trials"] as? [Int] == [3, 3, 3, 3, 3])
  }

  /// `--threads 1` and `--threads 2` print identical per-generation statistics.
  @Test func searchIsIdenticalForOneAndTwoThreads() throws {
    let dir = try Self.tempDir()
    func run(_ t: Int) throws -> [[String: Any]] {
      let r = try Self.wann(
        [
          "search", "--seed", "3", "--generations", "4", "--population", "24", "--threads", "\(t)",
          "--json", "--champion", dir.appendingPathComponent("c\(t).json").path,
        ], in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      return try r.stdout.split(separator: "\n").map {
        var o = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        #expect(o["seconds"] != nil)
        o["seconds"] = nil
        return o
      }
    }
    let one = try run(1), two = try run(2)
    #expect(one.count == 4)
    #expect(NSArray(array: one).isEqual(to: two))
    for key in ["generation", "best", "mean", "median", "championConnections", "championNodes"] {
      #expect(one[0][key] != nil, "missing \(key)")
    }
    // The champion file is a genome that `evaluate` reads back.
    let champion = dir.appendingPathComponent("c1.json").path
    let e = try Self.wann(["evaluate", "--genome", champion, "--trials", "2", "--json"], in: dir)
    #expect(e.status == 0, "\(e.stderr)")
    // Writing over an existing champion needs --force.
    let again = try Self.wann(["search", "--generations", "1", "--population", "8", "--champion", champion], in: dir)
    #expect(again.status == 2 && again.stderr.contains("--force"))
  }

  /// `wann bench` run from a folder outside the checkout still finds the original champion (the
  /// checkout is found from the binary), and measures each of `--thread-counts` once.
  @Test func benchFindsTheChampionFromAnyFolderAndMeasuresEachThreadCount() throws {
    let r = try Self.wann(
      ["bench", "--workloads", "rescore", "--trials", "1", "--thread-counts", "2,1", "--json"], in: try Self.tempDir())
    #expect(r.status == 0, "\(r.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    let results = try #require(report["results"] as? [[String: Any]])
    #expect(results.map { $0["threads"] as? Int } == [2, 1])
    #expect(results.allSatisfy { $0["workload"] as? String == "rescore-swing.out" && ($0["steps"] as? Int ?? 0) > 0 })
  }
}
