import ArgumentParser
import Foundation
import WANNArchive
import WANNDistributed

// Under mpirun (a build with the MPI trait), ranks other than 0 serve evaluations here and leave.
if case .workerFinished = Distributed.start() { exit(0) }

/// `--population -5` would reach the parser as an option followed by another option ("-5"),
/// reported as "Missing value". A negative number after an option is its value: join them as
/// `--population=-5`, so that the option's own range check names what is wrong.
func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
  var out: [String] = []
  var i = 0
  while i < arguments.count {
    let a = arguments[i]
    if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count, let next = arguments[i + 1].first, next == "-",
      arguments[i + 1].dropFirst().first.map({ $0.isNumber || $0 == "." }) == true
    {
      out.append(a + "=" + arguments[i + 1])
      i += 2
    } else {
      out.append(a)
      i += 1
    }
  }
  return out
}

/// Leaves at once with `code` once stdout and stderr are written, without running exit
/// handlers: HDF5 2.x closes every object still open at exit even after `H5dont_atexit`, and
/// after a failed write those include objects of the abandoned file, whose closing trips HDF5's
/// own assertions (a crash after the one-line message). Files wann wrote are closed by then.
func leave(_ code: Int32) -> Never {
  fflush(nil)  // every output stream
  _exit(code)
}

// Every failure leaves with one line on stderr and exit status 2 (help and version exit 0).
do {
  var command = try Wann.parseAsRoot(joiningNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
  try CommitInterval.check()
  try command.run()
  Distributed.finish()
} catch {
  Distributed.finish()
  if Wann.exitCode(for: error) == .success { Wann.exit(withError: error) }
  // A command that reports its own verdict (bench's exactness, inspect --check) sets its status.
  if let code = error as? ExitCode { leave(code.rawValue) }
  let message = Mistakes.explain(
    Wann.message(for: error)
      .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }.joined(separator: "; "), arguments: Array(CommandLine.arguments.dropFirst()))
  FileHandle.standardError.write(Data("wann: error: \(message)\n".utf8))
  leave(2)
}
