import ArgumentParser
import Foundation
import WANNDistributed

// Under mpirun (a build with the MPI trait), ranks other than 0 serve evaluations here and leave.
if case .workerFinished = Distributed.start() { exit(0) }

// Every failure leaves with one line on stderr and exit status 2 (help and version exit 0).
do {
  var command = try Wann.parseAsRoot()
  try command.run()
  Distributed.finish()
} catch {
  Distributed.finish()
  if Wann.exitCode(for: error) == .success { Wann.exit(withError: error) }
  let message = Wann.message(for: error)
    .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    .filter { !$0.isEmpty }.joined(separator: "; ")
  FileHandle.standardError.write(Data("wann: error: \(message)\n".utf8))
  exit(2)
}
