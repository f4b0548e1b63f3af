import ArgumentParser
import Foundation
import WANNCore

/// Rewrites the argument parser's messages for the mistakes users make most, so that each names
/// the thing and says what to do, with "did you mean" worked out from what the command accepts
/// (the parser's own guess for `--pop` was `--out`).
enum Mistakes {
  /// The message for `error` (already one line), improved where a rule applies.
  static func explain(_ message: String, arguments: [String]) -> String {
    if let typed = capture(message, #"^The value '(.*)' is invalid for '--task <task>'"#) {
      let names = TaskKind.builtins.map(\.rawValue)
      return "unknown task '\(typed)'\(Suggestion.phrase(for: typed, among: names)) (tasks: \(TaskKind.namesForHelp))"
    }
    if let typed = capture(message, #"^Unknown option '([^']*)'"#) {
      let command = commandPath(arguments)
      let options = optionNames(of: command.type)
      let name = command.names.isEmpty ? "wann" : "wann " + command.names.joined(separator: " ")
      let suggestion = Suggestion.phrase(for: typed, among: options)
      return "unknown option '\(typed)' for \(name)\(suggestion) (all options: \(name) --help)"
    }
    return message
  }

  /// The (sub)command the arguments name: its type and the names on the way to it.
  static func commandPath(_ arguments: [String]) -> (type: ParsableCommand.Type, names: [String]) {
    var type: ParsableCommand.Type = Wann.self
    var names: [String] = []
    for a in arguments where !a.hasPrefix("-") {
      guard let sub = type.configuration.subcommands.first(where: { $0.configuration.commandName == a }) else { break }
      type = sub
      names.append(a)
    }
    return (type, names)
  }

  /// The long options a command's help lists.
  static func optionNames(of type: ParsableCommand.Type) -> [String] {
    let help = Wann.helpMessage(for: type, columns: 400)
    guard let regex = try? NSRegularExpression(pattern: #"(?<![\w-])--[a-z][a-z0-9-]*"#) else { return [] }
    let range = NSRange(help.startIndex..., in: help)
    var seen = Set<String>(), names: [String] = []
    for m in regex.matches(in: help, range: range) {
      let name = String(help[Range(m.range, in: help)!])
      if seen.insert(name).inserted { names.append(name) }
    }
    return names
  }

  static func capture(_ text: String, _ pattern: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
      let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
      let r = Range(m.range(at: 1), in: text)
    else { return nil }
    return String(text[r])
  }
}
