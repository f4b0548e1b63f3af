/// One value of a config key, typed as the key declares it. The schema below converts between
/// these and the struct's fields; TOML files, the TOML text stored in archives and the archive's
/// config attributes are all written and read through it.
public enum ConfigValue: Sendable, Equatable {
  case integer(Int)
  case unsigned(UInt64)
  case number(Double)
  /// One of a key's named choices (task, weight mode).
  case choice(String)
  case flag(Bool)
  case numbers([Double])
  /// A list of activations, or nil where the key is unset (then the task's set applies).
  case activations([Activation]?)
}

/// One key of a search config: its dotted name, type, documentation, and how it reads and
/// writes the struct. `SearchConfig.schema` lists every key once; nothing else spells them.
public struct ConfigKey: Sendable {
  public enum Kind: Sendable, Equatable {
    case integer, unsigned, number, flag, numbers, activations
    case choice([String])
    /// A task: a built-in name or `gym:ENV` (an open set, so not a choice).
    case task

    /// How the kind reads in an error message.
    public var expectation: String {
      switch self {
      case .integer: "an integer"
      case .unsigned: "a non-negative integer"
      case .number: "a number"
      case .flag: "true or false"
      case .numbers: "an array of numbers"
      case .activations: "an array of activation names"
      case .choice(let options): "one of \(options.joined(separator: ", "))"
      case .task: "a task name: \(TaskKind.namesForHelp)"
      }
    }
  }

  /// Dotted name as written in TOML and in the archive's config attributes, e.g. "population.size".
  public let name: String
  public let kind: Kind
  public let doc: String
  /// The values the key may take, where one range says it; `SearchConfig.validate()` checks
  /// them from here, and the CLI's options for the same setting use the same range.
  public var bounds: Bounds?
  /// The key's value in `config`.
  public let value: @Sendable (SearchConfig) -> ConfigValue
  /// Sets the key in `config`; returns false (and changes nothing) when the value is not of the
  /// key's kind, which `set` turns into an error.
  let assign: @Sendable (inout SearchConfig, ConfigValue) -> Bool

  /// A key's allowed values: an integer range, a number interval, or how many numbers a list holds.
  public enum Bounds: Sendable, Equatable {
    case integers(ClosedRange<Int>)
    /// `[low, high]`, or `[low, high)` when `excludingHigh`.
    case interval(ClosedRange<Double>, excludingHigh: Bool)
    case count(ClosedRange<Int>)

    /// Why `value` is outside, or nil when it is inside.
    func violation(by value: ConfigValue) -> String? {
      switch (self, value) {
      case (.integers(let r), .integer(let x)):
        r.contains(x) ? nil : "must be in \(r.lowerBound)...\(r.upperBound) (not \(x))"
      case (.interval(let r, let open), .number(let x)):
        (r.contains(x) && !(open && x == r.upperBound))
          ? nil : "must be in [\(Self.text(r.lowerBound)), \(Self.text(r.upperBound))\(open ? ")" : "]") (not \(x))"
      case (.count(let r), .numbers(let xs)):
        r.contains(xs.count) ? nil : "must hold \(r.lowerBound) to \(r.upperBound) values (not \(xs.count))"
      default: nil
      }
    }

    private static func text(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    /// The bounds as a key's documentation says them.
    public var phrase: String {
      switch self {
      case .integers(let r): "In \(r.lowerBound)...\(r.upperBound)"
      case .interval(let r, let open):
        "In [\(Self.text(r.lowerBound)), \(Self.text(r.upperBound))\(open ? ")" : "]")"
      case .count(let r): "\(r.lowerBound) to \(r.upperBound) values"
      }
    }

    /// The integer range (nil for other bounds), for the CLI's options.
    public var integerRange: ClosedRange<Int>? {
      if case .integers(let r) = self { r } else { nil }
    }
  }

  /// The TOML table the key belongs to (nil for top-level keys) and its name inside it.
  public var section: String? { name.firstIndex(of: ".").map { String(name[..<$0]) } }
  public var field: String { name.firstIndex(of: ".").map { String(name[name.index(after: $0)...]) } ?? name }

  public func set(_ v: ConfigValue, in config: inout SearchConfig) throws(ConfigError) {
    if case .choice(let s) = v, case .choice(let options) = kind, !options.contains(s) {
      throw .invalidValue(key: name, reason: "must be one of \(options.joined(separator: ", ")), not '\(s)'")
    }
    guard assign(&config, v) else { throw .wrongType(key: name, expected: kind.expectation) }
  }

  // Builders over key paths: one line per key in the schema.
  static func integer(
    _ name: String, _ path: WritableKeyPath<SearchConfig, Int> & Sendable, _ doc: String,
    in range: ClosedRange<Int>? = nil
  ) -> ConfigKey {
    ConfigKey(
      name: name, kind: .integer, doc: doc, bounds: range.map { .integers($0) }, value: { .integer($0[keyPath: path]) }
    ) {
      c, v in
      guard case .integer(let x) = v else { return false }
      c[keyPath: path] = x
      return true
    }
  }
  static func number(
    _ name: String, _ path: WritableKeyPath<SearchConfig, Double> & Sendable, _ doc: String,
    bounds: Bounds? = nil
  ) -> ConfigKey {
    ConfigKey(name: name, kind: .number, doc: doc, bounds: bounds, value: { .number($0[keyPath: path]) }) { c, v in
      switch v {
      case .number(let x): c[keyPath: path] = x
      case .integer(let x): c[keyPath: path] = Double(x)
      default: return false
      }
      return true
    }
  }
  static func flag(_ name: String, _ path: WritableKeyPath<SearchConfig, Bool> & Sendable, _ doc: String) -> ConfigKey {
    ConfigKey(name: name, kind: .flag, doc: doc, value: { .flag($0[keyPath: path]) }) { c, v in
      guard case .flag(let x) = v else { return false }
      c[keyPath: path] = x
      return true
    }
  }
  static func numbers(
    _ name: String, _ path: WritableKeyPath<SearchConfig, [Double]> & Sendable, _ doc: String,
    count: ClosedRange<Int>? = nil
  ) -> ConfigKey {
    ConfigKey(
      name: name, kind: .numbers, doc: doc, bounds: count.map { .count($0) }, value: { .numbers($0[keyPath: path]) }
    ) { c, v in
      guard case .numbers(let x) = v else { return false }
      c[keyPath: path] = x
      return true
    }
  }
  static func choice<E: RawRepresentable & CaseIterable & Sendable>(
    _ name: String, _ path: WritableKeyPath<SearchConfig, E> & Sendable, _ doc: String
  ) -> ConfigKey where E.RawValue == String {
    ConfigKey(
      name: name, kind: .choice(E.allCases.map(\.rawValue)), doc: doc, value: { .choice($0[keyPath: path].rawValue) }
    ) { c, v in
      guard case .choice(let s) = v, let x = E(rawValue: s) else { return false }
      c[keyPath: path] = x
      return true
    }
  }
}

extension SearchConfig {
  /// Every key a config may set, in documentation order (the order of the TOML text and of the
  /// archive's config attributes). A key not listed here is an error that names it, to catch
  /// typos: a misspelt key must never silently fall back to a default.
  public static let schema: [ConfigKey] = [
    ConfigKey(
      name: "seed", kind: .unsigned, doc: "Random seed; the same seed and config give the same run.",
      value: { .unsigned($0.seed) }
    ) { c, v in
      switch v {
      case .unsigned(let x): c.seed = x
      case .integer(let x) where x >= 0: c.seed = UInt64(x)
      default: return false
      }
      return true
    },
    ConfigKey(
      name: "task", kind: .task,
      doc: "The task to solve: a built-in task, or gym:ENV_ID [JSON kwargs] for a Gymnasium environment.",
      value: { .choice($0.task.rawValue) }
    ) { c, v in
      guard case .choice(let s) = v, let t = TaskKind(rawValue: s) else { return false }
      c.task = t
      return true
    },
    .integer("generations", \.generations, "Generations to run.", in: 0...10_000_000),
    .integer("population.size", \.population.size, "Genomes per generation.", in: 2...1_000_000),
    .number(
      "population.eliteRatio", \.population.eliteRatio, "Share of the breeding pool copied unchanged.",
      bounds: .interval(0...1, excludingHigh: true)),
    .number(
      "population.cullRatio", \.population.cullRatio, "Share of the worst-ranked genomes removed before breeding.",
      bounds: .interval(0...1, excludingHigh: true)),
    .integer("population.tournamentSize", \.population.tournamentSize, "Genomes per selection tournament."),
    .number(
      "population.initialConnectionProbability", \.population.initialConnectionProbability,
      "Probability that each bias/input -> output gene starts enabled.", bounds: .interval(0...1, excludingHigh: false)),
    .choice(
      "population.parentSelection", \.population.parentSelection,
      "oneTournament (the paper) or betterOfTwo (the original release: the better of two tournament winners; docs/method.md, deviation 2)."
    ),
    .integer(
      "population.islands", \.population.islands,
      "Populations that rank and breed apart (an island model; 1: one population, as the paper). Genomes are split into this many blocks by index, each ranked, culled and bred alone; the champion is the best of all.",
      in: 1...4096),
    .integer(
      "population.migrationInterval", \.population.migrationInterval,
      "With islands: every this many generations each island's best population.migrants genomes replace the last children of the next island along a ring (0: never).",
      in: 0...10_000_000),
    .integer(
      "population.migrants", \.population.migrants,
      "With islands: genomes each island sends to the next at a migration.",
      in: 1...1_000_000),
    .flag(
      "speciation.enabled", \.speciation.enabled,
      "Sort each generation into species (NEAT, as the original release's dormant prettyNEAT code) that share the children by rank-based fitness and breed apart; off in the paper's search."
    ),
    .integer(
      "speciation.targetSpecies", \.speciation.targetSpecies,
      "With speciation: the number of species the threshold steers toward (prettyNEAT's spec_target).",
      in: 1...100_000),
    .number(
      "speciation.threshold", \.speciation.threshold,
      "With speciation: the compatibility threshold of generation 0 (prettyNEAT's spec_thresh).",
      bounds: .interval(0...1_000_000, excludingHigh: false)),
    .number(
      "speciation.minThreshold", \.speciation.minThreshold,
      "With speciation: the threshold never falls below this (prettyNEAT's spec_threshMin).",
      bounds: .interval(0...1_000_000, excludingHigh: false)),
    .number(
      "speciation.thresholdStep", \.speciation.thresholdStep,
      "With speciation: how far the threshold moves each generation toward targetSpecies species (prettyNEAT's spec_compatMod).",
      bounds: .interval(0...1_000_000, excludingHigh: false)),
    .number(
      "speciation.geneCoefficient", \.speciation.geneCoefficient,
      "With speciation: weight of the unmatched connection genes (by innovation) in the compatibility distance (prettyNEAT's spec_geneCoef).",
      bounds: .interval(0...1_000_000, excludingHigh: false)),
    .number(
      "speciation.activationCoefficient", \.speciation.activationCoefficient,
      "With speciation: weight of the share of shared nodes whose activations differ, in the place of NEAT's weight term (always 0 when weights are shared).",
      bounds: .interval(0...1_000_000, excludingHigh: false)),
    .integer(
      "speciation.stagnation", \.speciation.stagnation,
      "With speciation: a species whose best mean reward has not risen for more than this many generations breeds no children, unless it holds the best genome (prettyNEAT's spec_dropOffAge; 0: never).",
      in: 0...10_000_000),
    .number("mutation.insertNode", \.mutation.insertNode, "Probability weight of inserting a node."),
    .number("mutation.addConnection", \.mutation.addConnection, "Probability weight of adding a connection."),
    .number("mutation.changeActivation", \.mutation.changeActivation, "Probability weight of changing an activation."),
    .number(
      "mutation.enableConnection", \.mutation.enableConnection, "Probability weight of re-enabling a connection."),
    ConfigKey(
      name: "mutation.hiddenActivations", kind: .activations,
      doc: "Activations new hidden nodes may take (names or ids); unset: the task's set.",
      value: { .activations($0.mutation.hiddenActivations) }
    ) { c, v in
      guard case .activations(let x) = v else { return false }
      c.mutation.hiddenActivations = x
      return true
    },
    .numbers(
      "evaluation.weights", \.evaluation.weights, "The shared weight values every genome is scored with.",
      count: 1...10_000),
    .integer(
      "evaluation.repetitions", \.evaluation.repetitions,
      "Rollouts per weight value (every genome of a generation plays the same episodes).", in: 1...10_000),
    .integer(
      "evaluation.championRetests", \.evaluation.championRetests,
      "Repetitions (each over all weights) of the re-test a new champion passes before it is accepted.",
      in: 1...10_000),
    .choice(
      "evaluation.weightMode", \.evaluation.weightMode,
      "How rollouts set connection weights: sharedSeries, singleFixed, perConnectionRandom or gaussianNoise (the keys below parameterise them)."
    ),
    .number("evaluation.fixedWeight", \.evaluation.fixedWeight, "singleFixed: the one shared value."),
    .number("evaluation.randomLow", \.evaluation.randomLow, "perConnectionRandom: lower bound."),
    .number("evaluation.randomHigh", \.evaluation.randomHigh, "perConnectionRandom: upper bound."),
    .integer(
      "evaluation.randomDraws", \.evaluation.randomDraws, "perConnectionRandom: conditions per rollout.", in: 1...10_000
    ),
    .number("evaluation.noiseSigma", \.evaluation.noiseSigma, "gaussianNoise: standard deviation."),
    .integer(
      "evaluation.batchSize", \.evaluation.batchSize,
      "Classification: training images per rollout (the original's batch of 1000).", in: 1...1_000_000),
    .number(
      "ranking.connectionObjectiveProbability", \.ranking.connectionObjectiveProbability,
      "Probability that a generation ranks on (mean reward, fewer connections), else on (mean reward, max reward): the paper's 80/20 switch.",
      bounds: .interval(0...1, excludingHigh: false)),
    .choice(
      "ranking.crowding", \.ranking.crowding,
      "range (crowding gaps divided by the front's range) or original (the original release's |1/max - min| scaling)."),
    .number(
      "ranking.noveltyProbability", \.ranking.noveltyProbability,
      "Probability that a generation ranks on (mean reward, novelty): each genome's mean distance from its ranking.noveltyNeighbours nearest in its island, by mean reward at each weight (docs/method.md). Such a generation takes the place of the 80/20 switch's choice. 0: off (the paper).",
      bounds: .interval(0...1, excludingHigh: false)),
    .integer(
      "ranking.noveltyNeighbours", \.ranking.noveltyNeighbours,
      "With novelty: the nearest genomes (by weight profile) whose mean distance is a genome's novelty.",
      in: 1...100_000),
    .flag("searchSpace.recurrent", \.searchSpace.recurrent, "Allow recurrent links (read with a one-step delay)."),
    .flag("searchSpace.outputToOutput", \.searchSpace.outputToOutput, "Allow links between output nodes."),
    .choice(
      "searchSpace.disabledHiddenLinks", \.searchSpace.disabledHiddenLinks,
      "inactive (a disabled gene is not in the network) or active (the original release: disabled hidden-to-hidden genes stay in the network and count)."
    ),
    .integer(
      "analysis.profileEvery", \.analysis.profileEvery,
      "While searching: profile the champion of every N-th generation (and the last); 0: off.", in: 0...10_000_000),
    .integer(
      "analysis.batteryEvery", \.analysis.batteryEvery,
      "While searching: test battery of the champion of every N-th generation (and the last); 0: off.",
      in: 0...10_000_000),
    .flag(
      "analysis.onChampionChange", \.analysis.onChampionChange,
      "Also analyse the champion whenever it changes (within the budget)."),
    .flag(
      "analysis.bestGenome", \.analysis.bestGenome,
      "Also analyse each chosen generation's best genome (highest mean reward)."),
    .integer(
      "analysis.budget", \.analysis.budget,
      "Rollouts per generation, on average, analyses may spend: one only a champion change asks for is skipped when it would take the total past budget x (generation + 1); the every-N ones always run (and count).",
      in: 0...100_000_000),
    .numbers(
      "analysis.profileWeights", \.analysis.profileWeights,
      "The profile's (and battery sweep's) weights: [low, high, points]."),
    .integer(
      "analysis.profileTrials", \.analysis.profileTrials, "Episodes per weight value of a profile.", in: 1...10_000),
    .integer(
      "analysis.batteryTrials", \.analysis.batteryTrials,
      "Episodes per weight value of the battery (whose sweep is the profile's grid).", in: 1...10_000),
    .numbers("analysis.batteryFixed", \.analysis.batteryFixed, "The battery's fixed shared weights.", count: 0...1000),
    .integer(
      "analysis.batteryRandomDraws", \.analysis.batteryRandomDraws,
      "The battery's per-connection U(-2, 2) draws (one episode each).", in: 1...100_000),
    .numbers(
      "analysis.batteryNoiseSigmas", \.analysis.batteryNoiseSigmas,
      "The battery's noise levels around the evaluation weights.", count: 0...1000),
  ]

  /// Keys added after run archives were first written, each with the value every run made
  /// before the key existed used. A stored config without one of them (an older archive) ran with
  /// this value, which need not be today's default.
  public static let valuesBeforeKeyExisted: [String: ConfigValue] = [
    "population.parentSelection": .choice(ParentSelection.oneTournament.rawValue),
    "ranking.crowding": .choice(CrowdingRule.range.rawValue),
    "searchSpace.disabledHiddenLinks": .choice(DisabledLinkRule.inactive.rawValue),
  ]

  /// Reads a config stored with a run (an archive's `config_toml`): like `init(toml:)`, except
  /// that a key the text lacks because it was added later takes the value runs used before it
  /// existed, not today's default, so an old run is resumed and analysed as it ran.
  public init(storedTOML text: String) throws(ConfigError) {
    try self.init(toml: text, defaultTask: .swingup, missingKeysAsBeforeTheyExisted: true)
  }

  /// Every key a config file accepts, in documentation order.
  public static var knownKeys: [String] { schema.map(\.name) }

  /// The schema's key named `name`, or an error listing the known keys. Keys are spelled in
  /// camelCase (`searchSpace.disabledHiddenLinks`, as stored configs write them); the snake_case
  /// spelling that HDF5 attribute names and Python use (`search_space.disabled_hidden_links`) is
  /// accepted too.
  public static func key(_ name: String) throws(ConfigError) -> ConfigKey {
    let camel = camelCase(name)
    guard let k = schema.first(where: { $0.name == name || $0.name == camel }) else {
      throw .unknownKey(name, known: knownKeys)
    }
    return k
  }

  /// `search_space.disabled_hidden_links` -> `searchSpace.disabledHiddenLinks` (each dotted part).
  static func camelCase(_ name: String) -> String {
    name.split(separator: ".", omittingEmptySubsequences: false).map { part -> String in
      let words = part.split(separator: "_", omittingEmptySubsequences: false)
      guard words.count > 1, !words.contains(where: \.isEmpty) else { return String(part) }
      return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }.joined(separator: ".")
  }

  /// Sets key `name` from a TOML value (`base.` and `variants.` entries of experiment files too).
  public mutating func set(_ name: String, toml value: TOMLValue) throws(ConfigError) {
    let k = try Self.key(name)
    try k.set(try value.configValue(k), in: &self)
  }

  /// Decodes a config: the task's defaults (the file's `task`, else `defaultTask`), then every
  /// key of the file. Unknown keys, wrong types and invalid values are errors.
  public init(toml text: String, defaultTask: TaskKind = .swingup) throws(ConfigError) {
    try self.init(toml: text, defaultTask: defaultTask, missingKeysAsBeforeTheyExisted: false)
  }

  private init(toml text: String, defaultTask: TaskKind, missingKeysAsBeforeTheyExisted: Bool) throws(ConfigError) {
    let doc = try TOMLDocument(parsing: text)
    var task = defaultTask
    if let t = doc.entries.first(where: { $0.key == "task" }) { task = try t.value.task("task") }
    self = SearchConfig.defaults(for: task)
    if missingKeysAsBeforeTheyExisted {
      let present = Set(doc.entries.map(\.key))
      for (name, value) in Self.valuesBeforeKeyExisted where !present.contains(name) {
        try Self.key(name).set(value, in: &self)
      }
    }
    var given: [String: String] = [:]
    for entry in doc.entries {
      // One key, two spellings (camelCase and snake_case) in one file: say so, as for a key given twice.
      let name = try Self.key(entry.key).name
      if let first = given[name], first != entry.key {
        throw .invalidValue(
          key: entry.key, reason: "is '\(first)' spelled again (camelCase and snake_case name the same key): keep one")
      }
      given[name] = entry.key
      try set(entry.key, toml: entry.value)
    }
    try validate()
  }

  /// `tomlText` with each key's documentation above it (its doc, its bounds, its type), as
  /// `wann config` prints it: the schema rows are the one place a key is described.
  public var documentedTOML: String {
    var out: [String] = []
    for (i, k) in Self.schema.enumerated() {
      let literal = Self.tomlLiteral(k.value(self))
      if let s = k.section, i == 0 || Self.schema[i - 1].section != s { out += ["", "[\(s)]"] }
      var about = k.doc
      if let bounds = k.bounds { about += " " + bounds.phrase + "." }
      out.append("# " + about)
      out.append(literal.map { "\(k.field) = \($0)" } ?? "# \(k.field) = ...  (unset; \(k.kind.expectation))")
    }
    return out.joined(separator: "\n").trimmingPrefixNewlines() + "\n"
  }

  /// The resolved config as TOML that `init(toml:)` reads back to an equal value: top-level keys
  /// first, then one table per section, in schema order.
  public var tomlText: String {
    var blocks: [(section: String?, lines: [String])] = []
    for k in Self.schema {
      guard let text = Self.tomlLiteral(k.value(self)) else { continue }
      if blocks.last.map({ $0.section != k.section }) ?? true { blocks.append((k.section, [])) }
      blocks[blocks.count - 1].lines.append("\(k.field) = \(text)")
    }
    return blocks.map { b in (b.section.map { ["[\($0)]"] } ?? []) + b.lines }
      .map { $0.joined(separator: "\n") + "\n" }.joined(separator: "\n")
  }

  /// A value as a TOML literal (nil for an unset optional key, which is left out).
  public static func tomlLiteral(_ v: ConfigValue) -> String? {
    func num(_ d: Double) -> String {
      if d.isNaN { return "nan" }
      if d.isInfinite { return d > 0 ? "inf" : "-inf" }
      return "\(d)"
    }
    switch v {
    case .integer(let x): return "\(x)"
    case .unsigned(let x): return "\(x)"
    case .number(let x): return num(x)
    case .choice(let s):
      // Escaped: a gym task's kwargs hold JSON, quotes and all.
      return "\"" + s.map { $0 == "\\" ? "\\\\" : $0 == "\"" ? "\\\"" : String($0) }.joined() + "\""
    case .flag(let b): return "\(b)"
    case .numbers(let xs): return "[\(xs.map(num).joined(separator: ", "))]"
    case .activations(let a): return a.map { "[\($0.map { "\"\($0.name)\"" }.joined(separator: ", "))]" }
    }
  }
}

extension TOMLValue {
  /// This TOML value as a value of `key`'s kind, or an error naming the key and what it expects.
  func configValue(_ key: ConfigKey) throws(ConfigError) -> ConfigValue {
    switch key.kind {
    case .integer: .integer(try int(key.name))
    case .unsigned: .unsigned(try unsigned(key.name))
    case .number: .number(try double(key.name))
    case .flag: .flag(try bool(key.name))
    case .numbers: .numbers(try doubles(key.name))
    case .activations: .activations(try activations(key.name))
    case .task: .choice(try task(key.name).rawValue)
    case .choice(let options): .choice(try choice(key.name, options))
    }
  }

  public func double(_ key: String) throws(ConfigError) -> Double {
    switch self {
    case .float(let d): return d
    case .integer(let i): return Double(i)
    default: throw .wrongType(key: key, expected: "a number, not \(typeName)")
    }
  }
  public func string(_ key: String) throws(ConfigError) -> String {
    guard case .string(let v) = self else { throw .wrongType(key: key, expected: "a string, not \(typeName)") }
    return v
  }
  public func choice(_ key: String, _ options: [String]) throws(ConfigError) -> String {
    let s = try string(key)
    guard options.contains(s) else {
      throw .invalidValue(key: key, reason: "must be one of \(options.joined(separator: ", ")), not '\(s)'")
    }
    return s
  }
  public func bool(_ key: String) throws(ConfigError) -> Bool {
    guard case .boolean(let b) = self else { throw .wrongType(key: key, expected: "true or false, not \(typeName)") }
    return b
  }
  public func int(_ key: String) throws(ConfigError) -> Int {
    guard case .integer(let i) = self else { throw .wrongType(key: key, expected: "an integer, not \(typeName)") }
    guard let v = Int(exactly: i) else { throw .invalidValue(key: key, reason: "is out of range") }
    return v
  }
  public func unsigned(_ key: String) throws(ConfigError) -> UInt64 {
    guard case .integer(let i) = self else { throw .wrongType(key: key, expected: "an integer, not \(typeName)") }
    guard i >= 0 else { throw .invalidValue(key: key, reason: "must be 0 or more") }
    return UInt64(i)
  }
  public func task(_ key: String) throws(ConfigError) -> TaskKind {
    guard case .string(let s) = self else { throw .wrongType(key: key, expected: "a string, not \(typeName)") }
    guard let t = TaskKind(rawValue: s) else {
      throw .invalidValue(
        key: key,
        reason:
          "names unknown task '\(s)'\(Suggestion.phrase(for: s, among: TaskKind.builtins.map(\.rawValue))) (known: \(TaskKind.namesForHelp))"
      )
    }
    return t
  }
  public func doubles(_ key: String) throws(ConfigError) -> [Double] {
    guard case .array(let items) = self else {
      throw .wrongType(key: key, expected: "an array of numbers, not \(typeName)")
    }
    var out: [Double] = []
    for item in items { out.append(try item.double(key)) }
    return out
  }
  public func activations(_ key: String) throws(ConfigError) -> [Activation] {
    guard case .array(let items) = self else {
      throw .wrongType(key: key, expected: "an array of activation names, not \(typeName)")
    }
    var out: [Activation] = []
    for item in items {
      let a: Activation?
      switch item {
      case .string(let s): a = Activation(name: s)
      case .integer(let i): a = Int32(exactly: i).flatMap(Activation.init(rawValue:))
      default: a = nil
      }
      guard let a else {
        throw .invalidValue(
          key: key,
          reason: "holds an unknown activation (known: \(Activation.allCases.map(\.name).joined(separator: ", ")))")
      }
      out.append(a)
    }
    return out
  }
}

extension String {
  fileprivate func trimmingPrefixNewlines() -> String { String(drop { $0 == "\n" }) }
}
