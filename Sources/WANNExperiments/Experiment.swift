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

  /// The test conditions every champion faces. Its defaults are a run's `[analysis]` battery
  /// settings (`Battery(analysis: AnalysisConfig())`): one set of defaults for both.
  public struct Battery: Sendable, Equatable {
    public var trials: Int
    public var sweep: [Double]
    public var fixed: [Double]
    public var randomDraws: Int
    public var noiseSigmas: [Double]

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

  /// The experiment's own settings while its file is read (each key's row below sets one).
  struct Settings {
    var name = "experiment", task = TaskKind.swingup, seeds = 5, generations = 200, budget = 18
    var battery = Battery()
  }

  /// One key of an experiment file: its name, what it means, and how it sets the settings. Every
  /// key the file may hold is a row here, except `base.KEY` and `variants.NAME.KEY`, which are
  /// config keys (`SearchConfig.schema`); the reader, the unknown-key error and `knownKeys` all go
  /// through these rows.
  struct Key: Sendable {
    let name: String
    let doc: String
    let assign: @Sendable (inout Settings, TOMLValue, String) throws(ConfigError) -> Void

    init(
      _ name: String, _ doc: String,
      _ assign: @escaping @Sendable (inout Settings, TOMLValue, String) throws(ConfigError) -> Void
    ) {
      (self.name, self.doc, self.assign) = (name, doc, assign)
    }
  }

  static let schema: [Key] = [
    Key("name", "The experiment's name (its archive's title).") { s, v, k throws(ConfigError) in
      s.name = try v.string(k)
    },
    Key("task", "The task every run solves (see `wann search --help`).") { s, v, k throws(ConfigError) in
      s.task = try v.task(k)
    },
    Key("seeds", "Seeds per variant: runs with seeds 1...N.") { s, v, k throws(ConfigError) in s.seeds = try v.int(k) },
    Key("generations", "Generations of every run.") { s, v, k throws(ConfigError) in s.generations = try v.int(k) },
    Key("budget", "Rollouts per genome per generation, shared by all variants (repetitions = budget / conditions).") {
      s, v, k throws(ConfigError) in s.budget = try v.int(k)
    },
    Key("battery.trials", "Episodes per weight value of each test condition.") { s, v, k throws(ConfigError) in
      s.battery.trials = try v.int(k)
    },
    Key("battery.sweep", "The shared-weight sweep: [low, high, points] (as analysis.profileWeights).") {
      s, v, k throws(ConfigError) in
      // The same rule as `analysis.profileWeights` and the CLI's `lo:hi:n`.
      let w = try v.doubles(k)
      guard w.count == 3, w[0].isFinite, w[1].isFinite, w[0] < w[1], let n = Int(exactly: w[2]), (2...1001).contains(n)
      else {
        throw .invalidValue(key: k, reason: "must be [low, high, points] with finite low < high and 2...1001 points")
      }
      s.battery.sweep = (0..<n).map { w[0] + (w[1] - w[0]) * Double($0) / Double(n - 1) }
    },
    Key("battery.fixed", "Fixed shared weights tested one by one.") { s, v, k throws(ConfigError) in
      s.battery.fixed = try v.doubles(k)
    },
    Key("battery.randomDraws", "Per-connection U(-2, 2) weight draws (one episode each).") {
      s, v, k throws(ConfigError) in s.battery.randomDraws = try v.int(k)
    },
    Key("battery.noiseSigmas", "Gaussian noise levels around the evaluation weights.") { s, v, k throws(ConfigError) in
      s.battery.noiseSigmas = try v.doubles(k)
    },
  ]

  /// The file's keys with their meanings, for `wann experiment run --help`.
  public static var keyHelp: String {
    (schema.map { "\($0.name): \($0.doc)" }
      + ["base.KEY: any config key (`wann config`), for every variant", "variants.NAME.KEY: one variant's config key"])
      .joined(separator: "\n")
  }

  /// Every key an experiment file accepts, as the unknown-key error lists them.
  public static var knownKeys: [String] {
    schema.map(\.name) + ["base.<config key>", "variants.<name>.<config key>"]
  }

  public init(toml text: String) throws(ConfigError) {
    let doc = try TOMLDocument(parsing: text)
    var settings = Settings()
    var base: [TOMLDocument.Entry] = []
    var variantEntries: [(String, [TOMLDocument.Entry])] = []
    // Variants in the order their tables appear; a table with no keys is the base settings.
    for t in doc.tables {
      let parts = t.split(separator: ".").map(String.init)
      if parts.count == 2, parts[0] == "variants", !variantEntries.contains(where: { $0.0 == parts[1] }) {
        variantEntries.append((parts[1], []))
      }
    }
    for e in doc.entries {
      let parts = e.key.split(separator: ".", maxSplits: 2).map(String.init)
      if parts[0] == "base", parts.count > 1 {
        base.append(TOMLDocument.Entry(key: e.key.dropFirst(5).description, value: e.value, line: e.line))
      } else if parts[0] == "variants", parts.count == 3 {
        let entry = TOMLDocument.Entry(key: parts[2], value: e.value, line: e.line)
        if let i = variantEntries.firstIndex(where: { $0.0 == parts[1] }) {
          variantEntries[i].1.append(entry)
        } else {
          variantEntries.append((parts[1], [entry]))
        }
      } else if let key = Self.schema.first(where: { $0.name == e.key }) {
        try key.assign(&settings, e.value, e.key)
      } else {
        throw .unknownKey(e.key, known: Self.knownKeys)
      }
    }
    let (name, task, seeds, generations, budget, battery) = (
      settings.name, settings.task, settings.seeds, settings.generations, settings.budget, settings.battery
    )
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
