/// The task a search solves: one of the engine's built-in tasks, or any Gymnasium environment
/// (`gym:ID`, `gym:module.path:ClassName`, optionally followed by a JSON object of keyword
/// arguments for its constructor). An open set, so a struct; the built-ins are its static members
/// and keep the names (and archives) they always had.
public struct TaskKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
  /// The task's name as configs, archives and the command line spell it.
  public let rawValue: String

  private init(builtin name: String) { rawValue = name }

  /// A built-in task's name, or `gym:` followed by an environment (see `GymSpec`); nil for
  /// anything else.
  public init?(rawValue: String) {
    if let b = TaskKind.builtins.first(where: { $0.rawValue == rawValue }) {
      self = b
    } else if let spec = GymSpec(task: rawValue) {
      self.rawValue = spec.taskName
    } else {
      return nil
    }
  }

  /// The task of a Gymnasium environment.
  public init(gym spec: GymSpec) { rawValue = spec.taskName }

  /// CartPoleSwingUp as in the paper.
  public static let swingup = TaskKind(builtin: "swingup")
  /// CartPoleSwingUp observing only x, cos θ and sin θ (no velocities): memory helps.
  public static let swingupNovel = TaskKind(builtin: "swingup-novel")
  /// CartPoleSwingUp observed only at every 4th step (zeros and a flag between): memory needed.
  public static let swingupBlink = TaskKind(builtin: "swingup-blink")
  /// Sequence recall: report the sign of the previous step's input (needs memory).
  public static let recall = TaskKind(builtin: "recall")
  /// scikit-learn's 8x8 digits (64 inputs, pixels / 16), 10 softmax outputs.
  public static let digits = TaskKind(builtin: "digits")
  /// MNIST resized to 16x16 and deskewed as the original release does (256 inputs), 10 outputs.
  public static let mnist256 = TaskKind(builtin: "mnist256")
  /// BipedalWalker (Box2D): 24 observations, 4 torques, up to 1600 steps.
  public static let biped = TaskKind(builtin: "biped")
  /// The hardcore walker: pits, stumps and stairs, up to 2000 steps.
  public static let bipedHardcore = TaskKind(builtin: "biped-hardcore")

  /// POPGym's games ported natively (docs/popgym.md): `popgym-GAME-LEVEL`.
  public static let popgymCardGames = [
    "repeat-previous", "repeat-first", "count-recall", "higher-lower", "autoencode",
    "position-only-cartpole", "noisy-position-only-cartpole", "position-only-pendulum",
  ]
  public static let popgymLevels = ["easy", "medium", "hard"]
  public static let popgymCards: [TaskKind] = popgymCardGames.flatMap { g in
    popgymLevels.map { TaskKind(builtin: "popgym-\(g)-\($0)") }
  }

  /// The tasks the engine ships, in the order help texts list them.
  public static let builtins: [TaskKind] =
    [.swingup, .swingupNovel, .swingupBlink, .recall, .digits, .mnist256, .biped, .bipedHardcore]
    + popgymCards

  /// What a help text or an error lists as the known tasks.
  public static var namesForHelp: String {
    builtins.prefix(8).map(\.rawValue).joined(separator: ", ")
      + ", popgym-GAME-LEVEL (GAME: \(popgymCardGames.joined(separator: ", ")); LEVEL: \(popgymLevels.joined(separator: ", "))),"
      + " or gym:ENV_ID (any Gymnasium environment)"
  }

  /// Classification tasks score a batch of labelled images per rollout instead of an episode.
  public var isClassification: Bool { self == .digits || self == .mnist256 }
  /// The Gymnasium environment of a `gym:` task.
  public var gym: GymSpec? { GymSpec(task: rawValue) }
  /// The same task with its environment's keyword arguments replaced (a JSON object's text);
  /// nil for a built-in task, which takes none.
  public func with(environmentKwargs json: String) -> TaskKind? {
    guard var spec = gym else { return nil }
    spec.kwargs = String(Substring(json).trimmingWhitespace())
    return TaskKind(gym: spec)
  }

  public var description: String { rawValue }

  public init(from decoder: any Decoder) throws {
    let s = try decoder.singleValueContainer().decode(String.self)
    guard let t = TaskKind(rawValue: s) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown task '\(s)'"))
    }
    self = t
  }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
}

/// A Gymnasium environment as a task names it: `gym:CartPole-v1` (a registered id),
/// `gym:popgym:popgym-RepeatPreviousEasy-v0` (a module to import first, then an id it
/// registers, as `gymnasium.make` reads it) or `gym:my_envs.maze:MazeEnv` (a `gymnasium.Env`
/// class of a module on the Python path), optionally followed by whitespace and a JSON object of
/// keyword arguments: `gym:LunarLander-v3 {"continuous": true}`. The engine checks only this
/// shape; the worker process checks the JSON and the environment (docs/gymnasium.md).
public struct GymSpec: Sendable, Hashable {
  /// The registered id, or `module.path:ClassName`.
  public var environment: String
  /// The constructor's keyword arguments as a JSON object's text, or "" for none.
  public var kwargs: String

  public init(environment: String, kwargs: String = "") {
    self.environment = environment
    self.kwargs = kwargs
  }

  /// Parses `gym:ENV` or `gym:ENV {JSON}`; nil when `task` does not have that shape.
  public init?(task: String) {
    guard task.hasPrefix("gym:") else { return nil }
    let rest = Substring(task.dropFirst(4))
    let end = rest.firstIndex { $0 == " " || $0 == "\t" || $0 == "{" } ?? rest.endIndex
    let env = String(rest[..<end])
    let args = String(rest[end...].trimmingWhitespace())
    guard !env.isEmpty, env.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
    guard args.isEmpty || (args.hasPrefix("{") && args.hasSuffix("}")) else { return nil }
    environment = env
    kwargs = args
  }

  /// The task's name: `gym:ENV`, then a space and the kwargs where there are any.
  public var taskName: String { "gym:" + environment + (kwargs.isEmpty ? "" : " " + kwargs) }
}

/// The `[population]` keys. What each field means is its key's row in `SearchConfig.schema` (one
/// place for every key's documentation and bounds; `wann config` prints them).
public struct PopulationConfig: Codable, Sendable, Equatable {
  public var size = 192
  public var eliteRatio = 0.2
  public var cullRatio = 0.2
  public var tournamentSize = 8
  public var initialConnectionProbability = 0.5
  /// The default is the original release's code (docs/method.md, "Which defaults, and why").
  public var parentSelection = ParentSelection.betterOfTwo
  /// 1: one population, as the paper. More: an island model (`Islands`), off in the defaults.
  public var islands = 1
  public var migrationInterval = 32
  public var migrants = 1
  public init() {}
}

/// How a child's parent is drawn from the ranked breeding pool.
public enum ParentSelection: String, Codable, Sendable, CaseIterable {
  /// One tournament of `tournamentSize`, as the paper and the config describe.
  case oneTournament
  /// The original release: two tournaments of `tournamentSize` (the second meant for crossover,
  /// which is off) and the better winner, drawn in the original's order (all first
  /// tournaments' entrants of the generation, then all second ones).
  case betterOfTwo
}

/// How the crowding distance of a front member is scaled (docs/method.md, deviation 1).
public enum CrowdingRule: String, Codable, Sendable, CaseIterable {
  /// The gap between neighbours divided by the front's range (NSGA-II).
  case range
  /// The original release: the two gaps summed, then multiplied by |1/max - min| when the range
  /// is positive (its precedence slip for 1/(max - min)).
  case original
}

/// The `[evaluation]` keys. What each field means is its key's row in `SearchConfig.schema` (one
/// place for every key's documentation and bounds; `wann config` prints them).
public struct EvaluationConfig: Codable, Sendable, Equatable {
  public var weights: [Double] = [-2, -1, -0.5, 0.5, 1, 2]
  public var repetitions = 3
  public var championRetests = 20
  public var weightMode = WeightModeKind.sharedSeries
  public var fixedWeight = 0.7
  public var randomLow = -2.0
  public var randomHigh = 2.0
  public var randomDraws = 6
  public var noiseSigma = 0.1
  public var batchSize = 1000
  public init() {}

  /// The weight mode these settings describe.
  public var mode: WeightMode {
    switch weightMode {
    case .sharedSeries: .sharedSeries(weights)
    case .singleFixed: .singleFixed(fixedWeight)
    case .perConnectionRandom: .perConnectionRandom(low: randomLow, high: randomHigh, draws: randomDraws)
    case .gaussianNoise: .gaussianNoise(weights, sigma: noiseSigma)
    }
  }
}

/// The weight modes a config can name (`evaluation.weightMode`); `WeightMode` is the mode with
/// its parameters filled in.
public enum WeightModeKind: String, Codable, Sendable, CaseIterable {
  /// The paper: every connection at each value of `weights` in turn.
  case sharedSeries
  /// One fixed shared value, `fixedWeight`.
  case singleFixed
  /// U(`randomLow`, `randomHigh`) per connection, `randomDraws` conditions.
  case perConnectionRandom
  /// `weights` plus N(0, `noiseSigma`) per connection.
  case gaussianNoise
}

/// The `[ranking]` keys. What each field means is its key's row in `SearchConfig.schema` (one
/// place for every key's documentation and bounds; `wann config` prints them).
public struct RankingConfig: Codable, Sendable, Equatable {
  public var connectionObjectiveProbability = 0.8
  public var crowding = CrowdingRule.range
  public var noveltyProbability = 0.0
  public var noveltyNeighbours = 15
  public init() {}
}

/// Analysis of the champion while the search runs: its weight profile and the test battery
/// (shared-weight sweep, fixed weights, per-connection random weights, Gaussian noise), stored in
/// the archive under the genome. On episodes of their own (seed 0 and the profile's seed 1,
/// purpose evaluation), so switching it on never changes the search. Off by default. The
/// `[analysis]` keys: what each field means is its key's row in `SearchConfig.schema`.
public struct AnalysisConfig: Codable, Sendable, Equatable {
  public var profileEvery = 0
  public var batteryEvery = 0
  public var onChampionChange = true
  public var bestGenome = false
  public var budget = 864
  public var profileWeights: [Double] = [-2, 2, 21]
  public var profileTrials = 20
  public var batteryTrials = 10
  public var batteryFixed: [Double] = [0.6, 0.7, 0.8]
  public var batteryRandomDraws = 50
  public var batteryNoiseSigmas: [Double] = [0.05, 0.1, 0.25, 0.5, 1.0]

  public init() {}

  public var isEnabled: Bool { profileEvery > 0 || batteryEvery > 0 }

  /// The profile's weight values.
  public var profileGrid: [Double] {
    let n = Int(profileWeights[2])
    return (0..<n).map { profileWeights[0] + (profileWeights[1] - profileWeights[0]) * Double($0) / Double(n - 1) }
  }
}

/// Every hyperparameter of a search, with the defaults: the paper's values under the original
/// release's search semantics (docs/method.md, "Which defaults, and why"). Decoded from TOML files in
/// experiments/ (see `SearchConfig.init(toml:)`), saved with every run.
public struct SearchConfig: Codable, Sendable, Equatable {
  public var seed: UInt64 = 1
  public var task: TaskKind = .swingup
  public var generations = 1024
  public var population = PopulationConfig()
  public var mutation = MutationConfig()
  public var evaluation = EvaluationConfig()
  public var ranking = RankingConfig()
  /// Which links the search may create (the paper: feed-forward only), and how disabled genes
  /// express (the default is the original release's: disabled hidden-to-hidden genes stay).
  public var searchSpace = SearchSpace(disabledHiddenLinks: .active)
  /// NEAT's species (off by default; `SpeciationConfig`).
  public var speciation = SpeciationConfig()
  /// Per-generation analysis while the search runs (off by default; never changes the search).
  public var analysis = AnalysisConfig()

  public init() {}

  /// The same config without its analysis settings: two runs whose configs agree here search
  /// identically.
  public var searchOnly: SearchConfig {
    var c = self
    c.analysis = AnalysisConfig()
    return c
  }

  /// The paper's settings for `task`.
  public static func defaults(for task: TaskKind) -> SearchConfig {
    var c = SearchConfig()
    c.task = task
    switch task {
    case .swingup, .swingupNovel, .swingupBlink, .recall: break  // the struct's defaults are the swing-up settings
    case .mnist256:
      // The original release's mnist256 settings: population 960, tournament 32, sparse start,
      // one batch per weight value.
      c.population.size = 960
      c.population.tournamentSize = 32
      c.population.initialConnectionProbability = 0.05
      c.evaluation.repetitions = 1
      c.generations = 4096
    case .biped, .bipedHardcore:
      // The original release's biped settings (its WANN/p/biped.json).
      c.population.size = 480
      c.population.tournamentSize = 16
      c.population.initialConnectionProbability = 0.25
      c.evaluation.repetitions = 4
      c.generations = 2048
    case .digits:
      // The mnist256 settings at a fifth of the population: a quick classification benchmark.
      c.population.size = 192
      c.population.tournamentSize = 32
      c.population.initialConnectionProbability = 0.05
      c.evaluation.repetitions = 1
      c.generations = 256
    default:
      // Gymnasium environments: the swing-up's settings (population 192, three repetitions),
      // a start the paper's control tasks share; a config tunes them per environment.
      break
    }
    return c
  }

  /// Number of genomes removed before breeding.
  public var cullCount: Int { cullCount(of: population.size) }
  /// Number of elites: a share of the breeding pool, as in the original.
  public var eliteCount: Int { eliteCount(of: population.size) }
  /// The genomes a population (or an island) of `size` removes before breeding.
  public func cullCount(of size: Int) -> Int { Int((population.cullRatio * Double(size)).rounded(.down)) }
  /// The elites a population (or an island) of `size` copies: a share of its breeding pool.
  public func eliteCount(of size: Int) -> Int {
    Int((population.eliteRatio * Double(size - cullCount(of: size))).rounded(.down))
  }

  /// The integer ranges the CLI's options (`Limits`) share with the keys, read from the keys'
  /// schema rows, so the options and `validate()` name the same bounds.
  public enum Ranges {
    public static var generations: ClosedRange<Int> { range("generations") }
    public static var populationSize: ClosedRange<Int> { range("population.size") }
    /// `analysis.profileEvery`, `analysis.batteryEvery` (0: off).
    public static var analysisEvery: ClosedRange<Int> { range("analysis.profileEvery") }
    public static var analysisBudget: ClosedRange<Int> { range("analysis.budget") }

    static func range(_ key: String) -> ClosedRange<Int> {
      guard let r = (try? SearchConfig.key(key))?.bounds?.integerRange else {
        preconditionFailure("the schema row of \(key) has no integer range")
      }
      return r
    }
  }

  public func validate() throws(ConfigError) {
    func check(_ ok: Bool, _ key: String, _ why: String) throws(ConfigError) {
      if !ok { throw ConfigError.invalidValue(key: key, reason: why) }
    }
    // Every count has an upper bound, checked before anything is allocated: an absurd value is
    // an error naming its range, never a failed allocation or a search that cannot end. The
    // ranges live in the keys' schema rows; what relates two keys is checked below.
    for key in Self.schema {
      if let bounds = key.bounds, let why = bounds.violation(by: key.value(self)) {
        throw ConfigError.invalidValue(key: key.name, reason: why)
      }
    }
    try check(population.size - cullCount >= 1, "population.cullRatio", "leaves no genome to breed from")
    if population.islands > 1 {
      let smallest = Islands(populationSize: population.size, count: population.islands).ranges.map(\.count).min() ?? 0
      try check(
        population.islands <= population.size / 2, "population.islands",
        "must leave each island at least 2 genomes: at most \(population.size / 2) islands for population.size \(population.size), not \(population.islands)"
      )
      try check(
        smallest - cullCount(of: smallest) >= 1, "population.cullRatio",
        "leaves an island of \(smallest) genomes nothing to breed from (fewer population.islands, or a smaller cullRatio)"
      )
      let children = smallest - eliteCount(of: smallest)
      try check(
        population.migrants <= children, "population.migrants",
        "must be at most the \(children) children an island of \(smallest) genomes breeds each generation, not \(population.migrants)"
      )
    }
    if speciation.enabled {
      try check(
        population.islands == 1, "speciation.enabled",
        "cannot be combined with population.islands (\(population.islands)): choose islands or species")
      try check(
        speciation.threshold >= speciation.minThreshold, "speciation.threshold",
        "must be at least speciation.minThreshold (\(speciation.minThreshold)), not \(speciation.threshold)")
    }
    try check(
      (1...population.size).contains(population.tournamentSize), "population.tournamentSize",
      "must be in 1...population.size (\(population.size)), not \(population.tournamentSize)")
    let p = [mutation.insertNode, mutation.addConnection, mutation.changeActivation, mutation.enableConnection]
    try check(p.allSatisfy { $0 >= 0 && $0.isFinite }, "mutation", "probabilities must be finite and >= 0")
    try check(p.reduce(0, +) > 0, "mutation", "at least one operator probability must be > 0")
    if let h = mutation.hiddenActivations {
      try check(!h.isEmpty, "mutation.hiddenActivations", "must name at least one activation")
    }
    try check(evaluation.weights.allSatisfy(\.isFinite), "evaluation.weights", "must be finite numbers")
    try check(evaluation.fixedWeight.isFinite, "evaluation.fixedWeight", "must be finite")
    try check(
      evaluation.randomLow < evaluation.randomHigh && evaluation.randomLow.isFinite && evaluation.randomHigh.isFinite,
      "evaluation.randomLow", "must be finite and below evaluation.randomHigh")
    try check(
      evaluation.noiseSigma >= 0 && evaluation.noiseSigma.isFinite, "evaluation.noiseSigma", "must be finite and >= 0")
    // A generation's rewards (genomes x repetitions x weight conditions) must fit in memory.
    let rollouts = Double(population.size) * Double(evaluation.repetitions) * Double(evaluation.mode.conditionCount)
    try check(
      rollouts <= 1e8, "population.size",
      "x evaluation.repetitions x weight conditions is \(Int(rollouts)) rollouts per generation: at most 100000000")
    let pw = analysis.profileWeights
    try check(
      pw.count == 3 && pw.allSatisfy(\.isFinite) && pw[0] < pw[1] && pw[2] >= 2 && pw[2] <= 1001
        && pw[2] == pw[2].rounded(),
      "analysis.profileWeights", "must be [low, high, points] with low < high and 2...1001 points")
    try check(
      analysis.batteryFixed.allSatisfy(\.isFinite), "analysis.batteryFixed", "must hold finite weights")
    try check(
      analysis.batteryNoiseSigmas.allSatisfy { $0.isFinite && $0 >= 0 }, "analysis.batteryNoiseSigmas",
      "must hold finite sigmas >= 0")
  }
}

public enum ConfigError: Error, Equatable, CustomStringConvertible {
  case syntax(line: Int, message: String)
  case unknownKey(String, known: [String])
  case wrongType(key: String, expected: String)
  case invalidValue(key: String, reason: String)

  public var description: String {
    switch self {
    case .syntax(let line, let message): "TOML syntax error on line \(line): \(message)"
    case .unknownKey(let key, let known):
      "unknown key '\(key)'\(Suggestion.phrase(for: key, among: known)) (known keys: \(known.joined(separator: ", ")))"
    case .wrongType(let key, let expected): "key '\(key)' must be \(expected)"
    case .invalidValue(let key, let reason): "'\(key)' \(reason)"
    }
  }
}
