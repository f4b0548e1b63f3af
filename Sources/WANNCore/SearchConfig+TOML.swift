extension SearchConfig {
  /// One settable key of a config file.
  struct Key: Sendable {
    let name: String
    let apply: @Sendable (inout SearchConfig, TOMLValue) throws(ConfigError) -> Void
  }

  /// Every key a config file may set. A key not listed here is an error that names it, to catch
  /// typos (a misspelt key must never silently fall back to a default).
  static let keys: [Key] = [
    Key(name: "seed") { c, v throws(ConfigError) in c.seed = try v.unsigned("seed") },
    Key(name: "task") { c, v throws(ConfigError) in c.task = try v.task("task") },
    Key(name: "generations") { c, v throws(ConfigError) in c.generations = try v.int("generations") },
    Key(name: "population.size") { c, v throws(ConfigError) in c.population.size = try v.int("population.size") },
    Key(name: "population.eliteRatio") { c, v throws(ConfigError) in c.population.eliteRatio = try v.double("population.eliteRatio") },
    Key(name: "population.cullRatio") { c, v throws(ConfigError) in c.population.cullRatio = try v.double("population.cullRatio") },
    Key(name: "population.tournamentSize") { c, v throws(ConfigError) in
      c.population.tournamentSize = try v.int("population.tournamentSize")
    },
    Key(name: "population.initialConnectionProbability") { c, v throws(ConfigError) in
      c.population.initialConnectionProbability = try v.double("population.initialConnectionProbability")
    },
    Key(name: "mutation.insertNode") { c, v throws(ConfigError) in c.mutation.insertNode = try v.double("mutation.insertNode") },
    Key(name: "mutation.addConnection") { c, v throws(ConfigError) in c.mutation.addConnection = try v.double("mutation.addConnection") },
    Key(name: "mutation.changeActivation") { c, v throws(ConfigError) in
      c.mutation.changeActivation = try v.double("mutation.changeActivation")
    },
    Key(name: "mutation.enableConnection") { c, v throws(ConfigError) in
      c.mutation.enableConnection = try v.double("mutation.enableConnection")
    },
    Key(name: "mutation.hiddenActivations") { c, v throws(ConfigError) in
      c.mutation.hiddenActivations = try v.activations("mutation.hiddenActivations")
    },
    Key(name: "evaluation.weights") { c, v throws(ConfigError) in c.evaluation.weights = try v.doubles("evaluation.weights") },
    Key(name: "evaluation.repetitions") { c, v throws(ConfigError) in c.evaluation.repetitions = try v.int("evaluation.repetitions") },
    Key(name: "evaluation.championRetests") { c, v throws(ConfigError) in
      c.evaluation.championRetests = try v.int("evaluation.championRetests")
    },
    Key(name: "evaluation.weightMode") { c, v throws(ConfigError) in c.evaluation.weightMode = try v.string("evaluation.weightMode") },
    Key(name: "evaluation.fixedWeight") { c, v throws(ConfigError) in c.evaluation.fixedWeight = try v.double("evaluation.fixedWeight") },
    Key(name: "evaluation.randomLow") { c, v throws(ConfigError) in c.evaluation.randomLow = try v.double("evaluation.randomLow") },
    Key(name: "evaluation.randomHigh") { c, v throws(ConfigError) in c.evaluation.randomHigh = try v.double("evaluation.randomHigh") },
    Key(name: "evaluation.randomDraws") { c, v throws(ConfigError) in c.evaluation.randomDraws = try v.int("evaluation.randomDraws") },
    Key(name: "evaluation.noiseSigma") { c, v throws(ConfigError) in c.evaluation.noiseSigma = try v.double("evaluation.noiseSigma") },
    Key(name: "evaluation.batchSize") { c, v throws(ConfigError) in c.evaluation.batchSize = try v.int("evaluation.batchSize") },
    Key(name: "ranking.connectionObjectiveProbability") { c, v throws(ConfigError) in
      c.ranking.connectionObjectiveProbability = try v.double("ranking.connectionObjectiveProbability")
    },
    Key(name: "searchSpace.recurrent") { c, v throws(ConfigError) in c.searchSpace.recurrent = try v.bool("searchSpace.recurrent") },
    Key(name: "searchSpace.outputToOutput") { c, v throws(ConfigError) in
      c.searchSpace.outputToOutput = try v.bool("searchSpace.outputToOutput")
    },
  ]

  /// Every key a config file accepts, in documentation order.
  public static var knownKeys: [String] { keys.map(\.name) }

  /// Decodes a config: the task's defaults (the file's `task`, else `defaultTask`), then every
  /// key of the file. Unknown keys, wrong types and invalid values are errors.
  public init(toml text: String, defaultTask: TaskKind = .swingup) throws(ConfigError) {
    let doc = try TOMLDocument(parsing: text)
    var task = defaultTask
    if let t = doc.entries.first(where: { $0.key == "task" }) { task = try t.value.task("task") }
    self = SearchConfig.defaults(for: task)
    for entry in doc.entries {
      guard let key = SearchConfig.keys.first(where: { $0.name == entry.key }) else {
        throw ConfigError.unknownKey(entry.key, known: SearchConfig.knownKeys)
      }
      try key.apply(&self, entry.value)
    }
    try validate()
  }

  /// The resolved config as TOML that `init(toml:)` reads back to an equal value.
  public var tomlText: String {
    func num(_ d: Double) -> String {
      if d.isNaN { return "nan" }
      if d.isInfinite { return d > 0 ? "inf" : "-inf" }
      return "\(d)"
    }
    var s = "seed = \(seed)\ntask = \"\(task.rawValue)\"\ngenerations = \(generations)\n\n"
    s += "[population]\nsize = \(population.size)\neliteRatio = \(num(population.eliteRatio))\n"
    s += "cullRatio = \(num(population.cullRatio))\ntournamentSize = \(population.tournamentSize)\n"
    s += "initialConnectionProbability = \(num(population.initialConnectionProbability))\n\n"
    s += "[mutation]\ninsertNode = \(num(mutation.insertNode))\naddConnection = \(num(mutation.addConnection))\n"
    s += "changeActivation = \(num(mutation.changeActivation))\nenableConnection = \(num(mutation.enableConnection))\n"
    if let h = mutation.hiddenActivations {
      s += "hiddenActivations = [\(h.map { "\"\($0.name)\"" }.joined(separator: ", "))]\n"
    }
    s += "\n[evaluation]\nweights = [\(evaluation.weights.map(num).joined(separator: ", "))]\n"
    s += "repetitions = \(evaluation.repetitions)\nchampionRetests = \(evaluation.championRetests)\n"
    s += "weightMode = \"\(evaluation.weightMode)\"\nfixedWeight = \(num(evaluation.fixedWeight))\n"
    s += "randomLow = \(num(evaluation.randomLow))\nrandomHigh = \(num(evaluation.randomHigh))\n"
    s += "randomDraws = \(evaluation.randomDraws)\nnoiseSigma = \(num(evaluation.noiseSigma))\nbatchSize = \(evaluation.batchSize)\n\n"
    s += "[ranking]\nconnectionObjectiveProbability = \(num(ranking.connectionObjectiveProbability))\n\n"
    s += "[searchSpace]\nrecurrent = \(searchSpace.recurrent)\noutputToOutput = \(searchSpace.outputToOutput)\n"
    return s
  }
}

extension TOMLValue {
  func double(_ key: String) throws(ConfigError) -> Double {
    switch self {
    case .float(let d): return d
    case .integer(let i): return Double(i)
    default: throw .wrongType(key: key, expected: "a number, not \(typeName)")
    }
  }
  func string(_ key: String) throws(ConfigError) -> String {
    guard case .string(let v) = self else { throw .wrongType(key: key, expected: "a string, not \(typeName)") }
    return v
  }
  func bool(_ key: String) throws(ConfigError) -> Bool {
    guard case .boolean(let b) = self else { throw .wrongType(key: key, expected: "true or false, not \(typeName)") }
    return b
  }
  func int(_ key: String) throws(ConfigError) -> Int {
    guard case .integer(let i) = self else { throw .wrongType(key: key, expected: "an integer, not \(typeName)") }
    guard let v = Int(exactly: i) else { throw .invalidValue(key: key, reason: "is out of range") }
    return v
  }
  func unsigned(_ key: String) throws(ConfigError) -> UInt64 {
    guard case .integer(let i) = self else { throw .wrongType(key: key, expected: "an integer, not \(typeName)") }
    guard i >= 0 else { throw .invalidValue(key: key, reason: "must be 0 or more") }
    return UInt64(i)
  }
  func task(_ key: String) throws(ConfigError) -> TaskKind {
    guard case .string(let s) = self else { throw .wrongType(key: key, expected: "a string, not \(typeName)") }
    guard let t = TaskKind(rawValue: s) else {
      throw .invalidValue(key: key, reason: "names unknown task '\(s)' (known: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return t
  }
  func doubles(_ key: String) throws(ConfigError) -> [Double] {
    guard case .array(let items) = self else { throw .wrongType(key: key, expected: "an array of numbers, not \(typeName)") }
    var out: [Double] = []
    for item in items { out.append(try item.double(key)) }
    return out
  }
  func activations(_ key: String) throws(ConfigError) -> [Activation] {
    guard case .array(let items) = self else { throw .wrongType(key: key, expected: "an array of activation names, not \(typeName)") }
    var out: [Activation] = []
    for item in items {
      let a: Activation?
      switch item {
      case .string(let s): a = Activation(name: s)
      case .integer(let i): a = Int32(exactly: i).flatMap(Activation.init(rawValue:))
      default: a = nil
      }
      guard let a else {
        throw .invalidValue(key: key, reason: "holds an unknown activation (known: \(Activation.allCases.map(\.name).joined(separator: ", ")))")
      }
      out.append(a)
    }
    return out
  }
}
