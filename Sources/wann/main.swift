import ArgumentParser
import Foundation

// Every failure leaves with one line on stderr and exit status 2 (help and version exit 0).
do {
  var command = try Wann.parseAsRoot()
  try command.run()
} catch {
  if Wann.exitCode(for: error) == .success { Wann.exit(withError: error) }
  let message = Wann.message(for: error)
    .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    .filter { !$0.isEmpty }.joined(separator: "; ")
  FileHandle.standardError.write(Data("wann: error: \(message)\n".utf8))
  exit(2)
}
