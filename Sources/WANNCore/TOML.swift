/// A TOML value of the subset our configs use.
public enum TOMLValue: Equatable, Sendable {
  case string(String)
  case integer(Int64)
  case float(Double)
  case boolean(Bool)
  case array([TOMLValue])

  var typeName: String {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .float: "a float"
    case .boolean: "a boolean"
    case .array: "an array"
    }
  }
}

/// A parsed TOML document, flattened to dotted keys (`[population]` + `size = 8` gives
/// `population.size`) in file order.
///
/// Supported: comments, `[table]` and `[a.b]` headers, bare, quoted and dotted keys, basic and
/// literal strings, integers and floats (underscores, exponents, inf, nan), booleans, and arrays
/// (nested, multi-line, trailing comma). Not supported (a clear error names them): inline tables,
/// arrays of tables, multi-line strings, dates, hexadecimal/octal/binary integers. Our configs
/// need nothing more, and a small parser keeps the core free of dependencies. Inside the subset
/// it reads what TOML 1.0 reads and refuses what it refuses (a key defined twice, a table defined
/// twice, a key that is both a value and a table, `007`, `.5`): `TOMLCorpusTests` checks it
/// against Python's `tomllib` document by document.
public struct TOMLDocument: Sendable {
  public struct Entry: Sendable {
    public let key: String
    public let value: TOMLValue
    public let line: Int
    public init(key: String, value: TOMLValue, line: Int) {
      self.key = key
      self.value = value
      self.line = line
    }
  }
  public private(set) var entries: [Entry] = []
  /// Table headers (`[name]`) in order, empty ones included: an experiment's `[variants.x]`
  /// with no keys is a variant with the base settings, not nothing.
  public private(set) var tables: [String] = []

  public init(parsing text: String) throws(ConfigError) {
    var parser = Parser(chars: Array(text.unicodeScalars))
    var table = ""
    var seen = Set<String>()
    var headers = Set<String>()
    // Tables that dotted keys made (`a.b = 1` makes `a`): TOML lets no header define them again.
    var dottedTables = Set<String>()
    // Every table the document has, named or implied ([a.b] implies a).
    var tablesSoFar = Set<String>()
    while true {
      parser.skipBlankAndComments()
      guard let c = parser.peek() else { break }
      let line = parser.line
      if c == "[" {
        parser.advance()
        if parser.peek() == "[" { throw .syntax(line: line, message: "arrays of tables ([[...]]) are not supported") }
        let key = try parser.key()
        parser.skipSpaces()
        guard parser.peek() == "]" else { throw .syntax(line: line, message: "expected ']' after table name") }
        parser.advance()
        try parser.endOfLine()
        // TOML defines each table once: a second [name] would silently merge two sections.
        guard headers.insert(key).inserted, !dottedTables.contains(key) else {
          throw .syntax(line: line, message: "table [\(key)] is defined twice")
        }
        if let value = Self.prefixes(of: key, including: true).first(where: seen.contains) {
          throw .syntax(line: line, message: "table [\(key)] would replace the value of '\(value)'")
        }
        tablesSoFar.formUnion(Self.prefixes(of: key, including: true))
        table = key
        tables.append(key)
        continue
      }
      let key = try parser.key()
      parser.skipSpaces()
      guard parser.peek() == "=" else { throw .syntax(line: line, message: "expected '=' after key '\(key)'") }
      parser.advance()
      parser.skipSpaces()
      let value = try parser.value()
      try parser.endOfLine()
      let full = table.isEmpty ? key : table + "." + key
      guard seen.insert(full).inserted else { throw .syntax(line: line, message: "key '\(full)' is defined twice") }
      // A key is either a value or a table, never both (`a = 1` and `a.b = 2`).
      if tablesSoFar.contains(full) {
        throw .syntax(line: line, message: "key '\(full)' is already a table")
      }
      if let value = Self.prefixes(of: full, including: false).first(where: seen.contains) {
        throw .syntax(line: line, message: "key '\(full)' would make the value '\(value)' a table")
      }
      // The tables this key's dots make inside the current table; one a header defined is closed.
      let made = Self.prefixes(of: full, including: false).filter { $0.count > table.count }
      if let closed = made.first(where: headers.contains) {
        throw .syntax(line: line, message: "key '\(full)' adds to table [\(closed)] from outside it")
      }
      dottedTables.formUnion(made)
      tablesSoFar.formUnion(Self.prefixes(of: full, including: false))
      entries.append(Entry(key: full, value: value, line: line))
    }
  }

  /// "a", "a.b" for "a.b.c" (and "a.b.c" itself when `including`). Keys are joined by dots as
  /// parsed, so a quoted key holding a dot splits here too; the configs have none.
  static func prefixes(of key: String, including: Bool) -> [String] {
    let parts = key.split(separator: ".", omittingEmptySubsequences: false)
    let count = including ? parts.count : parts.count - 1
    return count < 1 ? [] : (1...count).map { parts.prefix($0).joined(separator: ".") }
  }

  private struct Parser {
    let chars: [Unicode.Scalar]
    var pos = 0
    var line = 1

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      pos + offset < chars.count ? chars[pos + offset] : nil
    }
    mutating func advance() {
      if chars[pos] == "\n" { line += 1 }
      pos += 1
    }
    mutating func skipSpaces() {
      while let c = peek(), c == " " || c == "\t" { advance() }
    }
    mutating func skipComment() {
      if peek() == "#" { while let c = peek(), c != "\n" { advance() } }
    }
    mutating func skipBlankAndComments() {
      while let c = peek() {
        if c == " " || c == "\t" || c == "\n" || c == "\r" {
          advance()
        } else if c == "#" {
          skipComment()
        } else {
          break
        }
      }
    }
    mutating func endOfLine() throws(ConfigError) {
      skipSpaces()
      skipComment()
      if peek() == "\r" { advance() }
      guard let c = peek() else { return }
      guard c == "\n" else { throw .syntax(line: line, message: "unexpected '\(c)' after value") }
      advance()
    }

    static func isBare(_ c: Unicode.Scalar) -> Bool {
      (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
    }

    mutating func key() throws(ConfigError) -> String {
      var parts: [String] = []
      repeat {
        skipSpaces()
        if peek() == "." { advance(); skipSpaces() }
        if peek() == "\"" || peek() == "'" {
          parts.append(try string())
        } else {
          var s = ""
          while let c = peek(), Parser.isBare(c) { s.unicodeScalars.append(c); advance() }
          guard !s.isEmpty else { throw .syntax(line: line, message: "expected a key") }
          parts.append(s)
        }
        skipSpaces()
      } while peek() == "."
      return parts.joined(separator: ".")
    }

    mutating func string() throws(ConfigError) -> String {
      let quote = peek()!
      advance()
      if peek() == quote && peek(1) == quote {
        throw .syntax(line: line, message: "multi-line strings are not supported")
      }
      var s = ""
      while true {
        guard let c = peek(), c != "\n" else { throw .syntax(line: line, message: "unterminated string") }
        advance()
        if c == quote { return s }
        if c == "\\" && quote == "\"" {
          guard let e = peek() else { throw .syntax(line: line, message: "unterminated string") }
          advance()
          switch e {
          case "n": s += "\n"
          case "t": s += "\t"
          case "r": s += "\r"
          case "\"": s += "\""
          case "\\": s += "\\"
          case "u", "U":
            let n = e == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<n {
              guard let h = peek() else { throw .syntax(line: line, message: "bad unicode escape") }
              hex.unicodeScalars.append(h); advance()
            }
            guard let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) else {
              throw .syntax(line: line, message: "bad unicode escape \\\(e)\(hex)")
            }
            s.unicodeScalars.append(u)
          default: throw .syntax(line: line, message: "unknown escape \\\(e)")
          }
        } else {
          s.unicodeScalars.append(c)
        }
      }
    }

    mutating func value() throws(ConfigError) -> TOMLValue {
      guard let c = peek() else { throw .syntax(line: line, message: "expected a value") }
      switch c {
      case "\"", "'": return .string(try string())
      case "[":
        advance()
        var items: [TOMLValue] = []
        while true {
          skipBlankAndComments()
          if peek() == "]" { advance(); return .array(items) }
          items.append(try value())
          skipBlankAndComments()
          if peek() == "," { advance(); continue }
          if peek() == "]" { advance(); return .array(items) }
          throw .syntax(line: line, message: "expected ',' or ']' in array")
        }
      case "{": throw .syntax(line: line, message: "inline tables are not supported; use a [table] header")
      default:
        var word = ""
        while let ch = peek(), ch != " ", ch != "\t", ch != "\n", ch != "\r", ch != ",", ch != "]", ch != "#" {
          word.unicodeScalars.append(ch); advance()
        }
        guard !word.isEmpty else { throw .syntax(line: line, message: "expected a value") }
        return try Parser.scalar(word, line: line)
      }
    }

    static func scalar(_ word: String, line: Int) throws(ConfigError) -> TOMLValue {
      switch word {
      case "true": return .boolean(true)
      case "false": return .boolean(false)
      case "inf", "+inf": return .float(.infinity)
      case "-inf": return .float(-.infinity)
      case "nan", "+nan", "-nan": return .float(.nan)
      default: break
      }
      let digits = word.replacingOccurrences(of: "_", with: "")
      guard !digits.isEmpty, !word.hasPrefix("_"), !word.hasSuffix("_"), !word.contains("__") else {
        throw .syntax(line: line, message: "'\(word)' is not a value")
      }
      // 1979-05-27, 07:32:00, 1979-05-27T07:32:00Z: TOML dates and times.
      let scalars = Array(word.unicodeScalars)
      let isDigit = { (i: Int) in i < scalars.count && scalars[i].properties.numericType == .decimal }
      if (isDigit(0) && isDigit(1) && isDigit(2) && isDigit(3) && scalars.count > 4 && scalars[4] == "-")
        || (isDigit(0) && isDigit(1) && scalars.count > 2 && scalars[2] == ":")
      {
        throw .syntax(line: line, message: "'\(word)': dates and times are not supported (write them as strings)")
      }
      // TOML numbers: no leading zeros ("007"), and a decimal point with digits on both sides.
      let unsigned = digits.hasPrefix("-") || digits.hasPrefix("+") ? digits.dropFirst() : Substring(digits)
      let integerPart = unsigned.prefix { $0.isASCII && $0.isNumber }
      if integerPart.count > 1 && integerPart.hasPrefix("0") {
        throw .syntax(line: line, message: "'\(word)': TOML numbers have no leading zeros")
      }
      if let dot = unsigned.firstIndex(of: ".") {
        let before = unsigned[..<dot], after = unsigned[unsigned.index(after: dot)...]
        guard before.last?.isNumber == true, after.first?.isNumber == true else {
          throw .syntax(line: line, message: "'\(word)': a decimal point needs digits on both sides (0.5, 5.0)")
        }
      }
      if ["0x", "0o", "0b"].contains(where: { unsigned.hasPrefix($0) }) {
        throw .syntax(line: line, message: "'\(word)': hexadecimal, octal and binary integers are not supported")
      }
      if let i = Int64(digits) { return .integer(i) }
      // All digits but too large for 64 bits: say so, rather than reading it as a float.
      let body = digits.hasPrefix("-") || digits.hasPrefix("+") ? digits.dropFirst() : Substring(digits)
      if !body.isEmpty, body.allSatisfy(\.isASCII), body.allSatisfy(\.isNumber) {
        throw .syntax(line: line, message: "integer \(word) is out of range (at most 9223372036854775807)")
      }
      let allowed = Set("0123456789+-.eE")
      if digits.allSatisfy({ allowed.contains($0) }), digits.contains(where: \.isNumber), let d = Double(digits) {
        return .float(d)
      }
      throw .syntax(line: line, message: "'\(word)' is not a value (strings need quotes)")
    }
  }
}

extension String {
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
