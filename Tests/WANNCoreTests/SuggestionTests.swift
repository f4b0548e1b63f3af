import Testing
import WANNCore

@Suite struct SuggestionTests {
  @Test func editDistanceCountsInsertionsDeletionsReplacementsAndSwaps() {
    #expect(Suggestion.editDistance("swingup", "swingup") == 0)
    #expect(Suggestion.editDistance("swingp", "swingup") == 1)
    #expect(Suggestion.editDistance("swingupp", "swingup") == 1)
    #expect(Suggestion.editDistance("swimgup", "swingup") == 1)
    #expect(Suggestion.editDistance("swnigup", "swingup") == 1)
    #expect(Suggestion.editDistance("", "abc") == 3 && Suggestion.editDistance("abc", "") == 3)
  }

  @Test func suggestsAPrefixFirstThenTheNearestCloseName() {
    let options = ["--out", "--population", "--task", "--seed", "--generations"]
    // A prefix wins over a nearer edit ("--pop" is 3 edits from "--out", a prefix of --population).
    #expect(Suggestion.closest(to: "--pop", among: options) == "--population")
    #expect(Suggestion.closest(to: "--tsk", among: options) == "--task")
    #expect(Suggestion.closest(to: "SWINGP", among: ["swingup", "recall"]) == "swingup")
    // Nothing close: no suggestion rather than a wrong one.
    #expect(Suggestion.closest(to: "xyzzy", among: TaskKind.builtins.map(\.rawValue)) == nil)
    #expect(Suggestion.closest(to: "", among: options) == nil)
    #expect(Suggestion.phrase(for: "#champoin", among: ["#champion"]) == ": did you mean '#champion'?")
    #expect(Suggestion.phrase(for: "zzz", among: ["#champion"]).isEmpty)
  }

  @Test func aMistypedTaskInAConfigIsNamedWithItsLikelyMeaning() {
    do {
      _ = try SearchConfig(toml: "task = \"swingp\"\n")
      Issue.record("a config with task = \"swingp\" was accepted")
    } catch {
      #expect("\(error)".contains("names unknown task 'swingp': did you mean 'swingup'?"))
    }
  }
}
