import Testing
import WANNCore

/// The task name: built-ins keep their names; `gym:` names parse into an environment and its
/// kwargs and survive the TOML text an archive stores.
@Suite struct TaskKindTests {
  @Test func builtinsKeepTheirNames() {
    #expect(
      TaskKind.builtins.prefix(8).map(\.rawValue) == [
        "swingup", "swingup-novel", "swingup-blink", "recall", "digits", "mnist256", "biped", "biped-hardcore",
      ])
    #expect(
      TaskKind.builtins.count == 32 && TaskKind.builtins.contains(TaskKind(rawValue: "popgym-count-recall-hard")!))
    for t in TaskKind.builtins { #expect(TaskKind(rawValue: t.rawValue) == t && t.gym == nil) }
    #expect(TaskKind(rawValue: "cartpole") == nil)
    #expect(TaskKind.digits.isClassification && !TaskKind(rawValue: "gym:CartPole-v1")!.isClassification)
  }

  @Test func gymNamesParse() throws {
    let plain = try #require(TaskKind(rawValue: "gym:CartPole-v1"))
    #expect(plain.gym == GymSpec(environment: "CartPole-v1"))
    let args = try #require(TaskKind(rawValue: #"gym:LunarLander-v3   {"continuous": true} "#))
    #expect(args.gym == GymSpec(environment: "LunarLander-v3", kwargs: #"{"continuous": true}"#))
    #expect(args.rawValue == #"gym:LunarLander-v3 {"continuous": true}"#)
    let glued = try #require(TaskKind(rawValue: #"gym:my_envs.maze:MazeEnv{"size": 5}"#))
    #expect(glued.gym?.environment == "my_envs.maze:MazeEnv" && glued.gym?.kwargs == #"{"size": 5}"#)
    for bad in ["gym:", "gym: {}", "gym:X [1]", "gym:X {", "gymCartPole-v1", "gym:Ca rt"] {
      #expect(TaskKind(rawValue: bad) == nil, "\(bad)")
    }
    #expect(plain.with(environmentKwargs: " {\"a\": 1} ")?.rawValue == #"gym:CartPole-v1 {"a": 1}"#)
    #expect(TaskKind.swingup.with(environmentKwargs: "{}") == nil)
  }

  @Test func gymTaskSurvivesTheConfigText() throws {
    var c = SearchConfig()
    c.task = try #require(TaskKind(rawValue: #"gym:LunarLander-v3 {"continuous": true, "name": "a\\b"}"#))
    let back = try SearchConfig(toml: c.tomlText)
    #expect(back.task == c.task)
    #expect(throws: ConfigError.self) { try SearchConfig(toml: #"task = "gym""#) }
  }
}
