/// A user-facing failure: one line that names the problem and, where there is one, the fix.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
