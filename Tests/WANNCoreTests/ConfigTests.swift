import Foundation
import Testing
@testable import WANNCore

@Suite struct ConfigTests {
  @Test func parsesTheSubsetWeUse() throws {
    let doc = try TOMLDocument(
      parsing: """
        # comment
        seed = 42
        task = "swingup"   # trailing comment
        [population]
        size = 1_000
        eliteRatio = 0.25
        [evaluation]
        weights = [
          -2, -1.5e0,  # mixed ints and floats
          0.5,
        ]
        [mutation]
        hiddenActivations = ['tanh', "relu", 3]
        """)
    let keys = doc.entries.map(\.key)
    #expect(
      keys == [
        "seed", "task", "population.size", "population.eliteRatio", "evaluation.weights", "mutation.hiddenActivations",
      ])
    #expect(doc.entries[2].value == .integer(1000))
    #expect(doc.entries[4].value == .array([.integer(-2), .float(-1.5), .float(0.5)]))
    // What TOML allows near the refused forms still reads.
    let numbers = try TOMLDocument(parsing: "a = 0\nb = -0\nc = 0.5\nd = -0.25e1\ne = 10\nf = 1e3\ng = +7")
    #expect(
      numbers.entries.map(\.value) == [
        .integer(0), .integer(0), .float(0.5), .float(-2.5), .integer(10), .float(1000), .integer(7),
      ])
  }

  @Test func configFromTOMLAppliesOverrides() throws {
    let c = try SearchConfig(
      toml: """
        seed = 9
        generations = 12
        [population]
        size = 64
        tournamentSize = 4
        [mutation]
        hiddenActivations = ["tanh", "relu"]
        """)
    #expect(c.seed == 9 && c.generations == 12 && c.population.size == 64 && c.population.tournamentSize == 4)
    #expect(c.mutation.hiddenActivations == [.tanh, .relu])
    #expect(c.evaluation == EvaluationConfig())  // untouched sections keep the defaults
  }

  @Test func tomlTextRoundTrips() throws {
    var c = SearchConfig()
    c.seed = 77
    c.evaluation.weights = [-1.25, 0.5, 3]
    c.mutation.hiddenActivations = [.sine, .absolute]
    c.ranking.connectionObjectiveProbability = 0.6
    c.searchSpace = SearchSpace(recurrent: true, outputToOutput: false)
    c.task = .swingupNovel
    #expect(try SearchConfig(toml: c.tomlText) == c)
  }

  /// `wann config`'s text reads back to the same config, with every key documented once, and the
  /// bounds it states are the ones `validate()` enforces.
  @Test(arguments: [TaskKind.swingup, .mnist256, .biped])
  func documentedTOMLRoundTripsAndStatesTheBounds(_ task: TaskKind) throws {
    var c = SearchConfig.defaults(for: task)
    c.mutation.hiddenActivations = nil
    let text = c.documentedTOML
    #expect(try SearchConfig(toml: text) == c)
    for key in SearchConfig.schema {
      #expect(text.contains("# " + key.doc), "\(key.name)")
      if let bounds = key.bounds { #expect(text.contains(key.doc + " " + bounds.phrase + "."), "\(key.name)") }
    }
    var tooBig = c
    tooBig.generations = SearchConfig.Ranges.generations.upperBound + 1
    #expect(throws: ConfigError.invalidValue(key: "generations", reason: "must be in 0...10000000 (not 10000001)")) {
      try tooBig.validate()
    }
    var ratio = c
    ratio.population.eliteRatio = 1
    #expect(throws: ConfigError.invalidValue(key: "population.eliteRatio", reason: "must be in [0, 1) (not 1.0)")) {
      try ratio.validate()
    }
  }

  /// Keys are camelCase; the snake_case that HDF5 attributes and Python use is accepted too,
  /// but not both spellings of one key in one file.
  @Test func snakeCaseKeysAreTheCamelCaseOnes() throws {
    let snake = try SearchConfig(
      toml: "[search_space]\nrecurrent = true\ndisabled_hidden_links = \"active\"\n[population]\ntournament_size = 5\n")
    let camel = try SearchConfig(
      toml: "[searchSpace]\nrecurrent = true\ndisabledHiddenLinks = \"active\"\n[population]\ntournamentSize = 5\n")
    #expect(snake == camel && camel.population.tournamentSize == 5 && camel.searchSpace.recurrent)
    #expect(
      throws: ConfigError.invalidValue(
        key: "population.tournament_size",
        reason: "is 'population.tournamentSize' spelled again (camelCase and snake_case name the same key): keep one")
    ) {
      try SearchConfig(toml: "[population]\ntournamentSize = 5\ntournament_size = 6\n")
    }
    #expect(
      "\(ConfigError.unknownKey("population.sise", known: SearchConfig.knownKeys))".contains(
        "did you mean 'population.size'?"))
  }

  @Test(arguments: [
    ("[population]\nsise = 3", ConfigError.unknownKey("population.sise", known: SearchConfig.knownKeys)),
    ("generations = \"ten\"", ConfigError.wrongType(key: "generations", expected: "an integer, not a string")),
    (
      "[population]\nsize = 1",
      ConfigError.invalidValue(key: "population.size", reason: "must be in 2...1000000 (not 1)")
    ),
    (
      "[population]\nsize = 9223372036854775807",
      ConfigError.invalidValue(
        key: "population.size", reason: "must be in 2...1000000 (not 9223372036854775807)")
    ),
    (
      "[population]\nsize = 99999999999999999999",
      ConfigError.syntax(line: 2, message: "integer 99999999999999999999 is out of range (at most 9223372036854775807)")
    ),
    (
      "[population]\nsize = 32\ntournamentSize = 100",
      ConfigError.invalidValue(key: "population.tournamentSize", reason: "must be in 1...population.size (32), not 100")
    ),
    (
      "[population]\ntournamentSize = 1000000000",
      ConfigError.invalidValue(
        key: "population.tournamentSize", reason: "must be in 1...population.size (192), not 1000000000")
    ),
    (
      "[evaluation]\nrepetitions = 1000000000",
      ConfigError.invalidValue(key: "evaluation.repetitions", reason: "must be in 1...10000 (not 1000000000)")
    ),
    (
      "generations = 1000000000",
      ConfigError.invalidValue(key: "generations", reason: "must be in 0...10000000 (not 1000000000)")
    ),
    (
      "[population]\nsize = 1000000\n[evaluation]\nrepetitions = 100",
      ConfigError.invalidValue(
        key: "population.size",
        reason: "x evaluation.repetitions x weight conditions is 600000000 rollouts per generation: at most 100000000")
    ),
    (
      "task = \"pong\"",
      ConfigError.invalidValue(
        key: "task",
        reason:
          "names unknown task 'pong' (known: swingup, swingup-novel, swingup-blink, recall, digits, mnist256, biped, biped-hardcore, popgym-GAME-LEVEL (GAME: repeat-previous, repeat-first, count-recall, higher-lower, autoencode, position-only-cartpole, noisy-position-only-cartpole, position-only-pendulum; LEVEL: easy, medium, hard), or gym:ENV_ID (any Gymnasium environment))"
      )
    ),
    ("seed = ", ConfigError.syntax(line: 1, message: "expected a value")),
    ("seed = \n", ConfigError.syntax(line: 1, message: "expected a value")),
    ("task = swingup", ConfigError.syntax(line: 1, message: "'swingup' is not a value (strings need quotes)")),
    ("seed = 1\nseed = 2", ConfigError.syntax(line: 2, message: "key 'seed' is defined twice")),
    (
      "[population]\nsize = 8\n[mutation]\n[population]\neliteRatio = 0.5",
      ConfigError.syntax(line: 4, message: "table [population] is defined twice")
    ),
    ("seed = 007", ConfigError.syntax(line: 1, message: "'007': TOML numbers have no leading zeros")),
    (
      "[population]\neliteRatio = 00.5",
      ConfigError.syntax(line: 2, message: "'00.5': TOML numbers have no leading zeros")
    ),
    (
      "[population]\neliteRatio = .5",
      ConfigError.syntax(line: 2, message: "'.5': a decimal point needs digits on both sides (0.5, 5.0)")
    ),
    (
      "[population]\neliteRatio = 5.",
      ConfigError.syntax(line: 2, message: "'5.': a decimal point needs digits on both sides (0.5, 5.0)")
    ),
    ("[evaluation]\nweights = [1, 2", ConfigError.syntax(line: 2, message: "expected ',' or ']' in array")),
    ("x = {a = 1}", ConfigError.syntax(line: 1, message: "inline tables are not supported; use a [table] header")),
    (
      "[mutation]\nhiddenActivations = [\"tanhh\"]",
      ConfigError.invalidValue(
        key: "mutation.hiddenActivations",
        reason:
          "holds an unknown activation (known: linear, step, sin, gaussian, tanh, sigmoid, inverse, abs, relu, cos, square)"
      )
    ),
  ])
  func badConfigsGiveSpecificErrors(_ text: String, _ expected: ConfigError) {
    #expect(throws: expected) { try SearchConfig(toml: text) }
  }

  @Test func paperExperimentFileEqualsTheDefaults() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("experiments/swingup.toml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let c = try SearchConfig(toml: text)
    #expect(c == SearchConfig.defaults(for: .swingup))
    #expect(c.population.size == 192 && c.population.tournamentSize == 8 && c.evaluation.repetitions == 3)
    #expect(c.population.parentSelection == .betterOfTwo && c.searchSpace.disabledHiddenLinks == .active)
    // It documents every key: each schema key's field appears in its section.
    for key in SearchConfig.schema where key.name.contains(".") {
      #expect(
        text.contains("\n\(key.field) =") || text.contains("# \(key.field) ="),
        "experiments/swingup.toml does not list \(key.name)")
    }
  }
}

@Suite struct PathTextTests {
  @Test(arguments: [
    ("v", "", "v"), ("X.h5", "", "X.h5"), ("runs/a.h5", "runs", "a.h5"), ("/a", "/", "a"),
    ("/x/y/z.h5", "/x/y", "z.h5"),
    ("d/", "", "d"), ("./f", ".", "f"),
  ])
  func splitsPaths(_ path: String, _ folder: String, _ name: String) {
    #expect(PathText.folder(of: path) == folder)
    #expect(PathText.name(of: path) == name)
  }
}
