import WANNCore

/// An experiment grid read from TOML: variants x seeds of one task, with a shared evaluation
/// budget, and the battery of test conditions every variant's champion is scored under.
///
/// ```toml
/// name = "faq-ablations"
/// task = "swingup"
/// seeds = 5                      # seeds 1...5
/// generations = 200
/// budget = 18                    # rollouts per genome per generation (repetitions = budget / conditions)
/// base.population.size = 192     # any config key, for every variant
/// [variants.baseline]
/// evaluation.weightMode = "sharedSeries"
/// [variants.fixed07]
/// evaluation.weightMode = "singleFixed"
/// evaluation.fixedWeight = 0.7
/// [battery]
/// trials = 100
/// ```
public struct Experiment: Sendable, Equatable {
  public var name: String
  public var task: TaskKind
  public var seeds: Int
  public var generations: Int
  public var budget: Int
  /// Variant name and its full config (seed set per run).
  public var variants: [(name: String, config: SearchConfig)]
  public var battery: Battery

  public struct Battery: Sendable, Equatable {
    public var trials = 100
    public var sweep: [Double] = (0..<41).map { -2 + 4 * Double($0) / 40 }
    public var fixed: [Double] = [0.6, 0.7, 0.8]
    public var randomDraws = 100
    public var noiseSigmas: [Double] = [0.05, 0.1, 0.25, 0.5, 1.0]

    /// Checks the values against the ranges of a run's own battery settings, by the same code:
    /// `SearchConfig.validate` on a config carrying them as `analysis.battery*` (the error then
    /// names the `battery.` key). A battery needs at least one fixed weight besides.
    func validate() throws(ConfigError) {
      var config = SearchConfig.defaults(for: .swingup)
      config.analysis.batteryTrials = trials
      config.analysis.batteryRandomDraws = randomDraws
      config.analysis.batteryFixed = fixed
      config.analysis.batteryNoiseSigmas = noiseSigmas
      do { try config.validate() } catch .invalidValue(let key, let reason) where key.hasPrefix("analysis.battery") {
        let name = key.dropFirst("analysis.battery".count)
        throw .invalidValue(key: "battery.\(name.prefix(1).lowercased())\(name.dropFirst())", reason: reason)
      }
      if fixed.isEmpty { throw .invalidValue(key: "battery.fixed", reason: "must hold at least one weight") }
    }
  }

  public static func == (a: Experiment, b: Experiment) -> Bool {
    a.name == b.name && a.task == b.task && a.seeds == b.seeds && a.generations == b.generations && a.budget == b.budget
      && a.battery == b.battery && a.variants.map(\.name) == b.variants.map(\.name)
      && a.variants.map(\.config) == b.variants.map(\.config)
  }

  public init(toml text: String) throws(ConfigError) {
    let doc = try TOMLDocument(parsing: text)
    var name = "experiment", task = TaskKind.swingup, seeds = 5, generations = 200, budget = 18
    var base: [TOMLDocument.Entry] = []
    var variantEntries: [(String, [TOMLDocument.Entry])] = []
    var battery = Battery()
    // Variants in the order their tables appear; a table with no keys is the base settings.
    for t in doc.tables {
      let parts = t.split(separator: ".").map(String.init)
      if parts.count == 2, parts[0] == "variants", !variantEntries.contains(where: { $0.0 == parts[1] }) {
        variantEntries.append((parts[1], []))
      }
    }
    for e in doc.entries {
      let parts = e.key.split(separator: ".", maxSplits: 2).map(String.init)
      switch parts[0] {
      case "name": name = try e.value.string("name")
      case "task": task = try e.value.task("task")
      case "seeds": seeds = try e.value.int("seeds")
      case "generations": generations = try e.value.int("generations")
      case "budget": budget = try e.value.int("budget")
      case "base":
        base.append(TOMLDocument.Entry(key: e.key.dropFirst(5).description, value: e.value, line: e.line))
      case "variants" where parts.count == 3:
        let entry = TOMLDocument.Entry(key: parts[2], value: e.value, line: e.line)
        if let i = variantEntries.firstIndex(where: { $0.0 == parts[1] }) {
          variantEntries[i].1.append(entry)
        } else {
          variantEntries.append((parts[1], [entry]))
        }
      case "battery" where parts.count == 2:
        switch parts[1] {
        case "trials": battery.trials = try e.value.int(e.key)
        case "sweep":
          // The same rule as `analysis.profileWeights` and the CLI's `lo:hi:n`.
          let v = try e.value.doubles(e.key)
          guard v.count == 3, v[0].isFinite, v[1].isFinite, v[0] < v[1], let n = Int(exactly: v[2]),
            (2...1001).contains(n)
          else {
            throw .invalidValue(
              key: e.key, reason: "must be [low, high, points] with finite low < high and 2...1001 points")
          }
          battery.sweep = (0..<n).map { v[0] + (v[1] - v[0]) * Double($0) / Double(n - 1) }
        case "fixed": battery.fixed = try e.value.doubles(e.key)
        case "randomDraws": battery.randomDraws = try e.value.int(e.key)
        case "noiseSigmas": battery.noiseSigmas = try e.value.doubles(e.key)
        default:
          throw .unknownKey(
            e.key,
            known: ["battery.trials", "battery.sweep", "battery.fixed", "battery.randomDraws", "battery.noiseSigmas"])
        }
      default:
        throw .unknownKey(
          e.key,
          known: [
            "name", "task", "seeds", "generations", "budget", "base.<config key>",
            "variants.<name>.<config key>", "battery.<key>",
          ])
      }
    }
    try battery.validate()
    guard seeds >= 1 else { throw .invalidValue(key: "seeds", reason: "must be at least 1") }
    guard budget >= 1 else { throw .invalidValue(key: "budget", reason: "must be at least 1") }
    guard !variantEntries.isEmpty else {
      throw .invalidValue(key: "variants", reason: "must define at least one [variants.NAME]")
    }
    var variants: [(String, SearchConfig)] = []
    for (vName, entries) in variantEntries {
      // A variant's name becomes its runs' group names in the archive ("NAME-s1"): HDF5 reads a
      // slash as a path and "." as the group itself.
      guard !vName.isEmpty, !vName.contains("/"), vName != ".", vName != "..",
        !vName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
      else {
        throw .invalidValue(
          key: "variants.\(vName)",
          reason:
            "is not a usable variant name: it names the runs' groups in the archive, so it may not be empty, \".\" or \"..\", or contain \"/\" or control characters"
        )
      }
      var c = SearchConfig.defaults(for: task)
      c.generations = generations
      for (e, table) in base.map({ ($0, "base") }) + entries.map({ ($0, "variants.\(vName)") }) {
        // The grid sets these for every run (its task, its generations, each run's seed, and
        // the repetitions its budget gives): a run's own value would be overridden, so say so.
        let setByTheGrid = [
          "task": "task", "generations": "generations", "seed": "seeds",
          "evaluation.repetitions": "budget",
        ]
        if let owner = setByTheGrid[(try? SearchConfig.key(e.key).name) ?? e.key] {
          throw .invalidValue(
            key: "\(table).\(e.key)",
            reason:
              "is set for every run by the experiment's top-level `\(owner)`; set it there (a variant cannot differ in it)"
          )
        }
        try c.set(e.key, toml: e.value)
      }
      c.task = task
      c.generations = generations
      // The shared budget: every variant spends `budget` rollouts per genome per generation.
      let conditions = c.evaluation.mode.conditionCount
      guard budget % conditions == 0 else {
        throw .invalidValue(
          key: "variants.\(vName)",
          reason: "has \(conditions) weight conditions, which do not divide budget = \(budget)")
      }
      c.evaluation.repetitions = budget / conditions
      try c.validate()
      variants.append((vName, c))
    }
    self.name = name
    self.task = task
    self.seeds = seeds
    self.generations = generations
    self.budget = budget
    self.variants = variants
    self.battery = battery
  }
}
