import Foundation
import Testing
import WANNCore
import WANNTasks

/// The native card games against POPGym itself: every episode of
/// Tests/Fixtures/popgym-cards.txt (recorded through the package by scripts/popgym_fixture.py:
/// 100 per game over the three difficulties, random and scripted actions) replayed from the
/// package's deck orders with the recorded actions gives the package's observations, rewards and
/// end flags, bit for bit.
@Suite struct CardMemoryTests {
  struct Recorded {
    var game: CardGame
    var deck: [Int32], queryDeck: [Int32]?
    var actions: [Int]
    var observations: [String]
    var scale: Double?
    var signs: [Character]
    var ends: [Character]
  }

  static func fixture() throws -> [Recorded] {
    let text = try String(contentsOf: Reference.fixtures.appendingPathComponent("popgym-cards.txt"), encoding: .utf8)
    var out: [Recorded] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let parts = line.split(separator: " ").map(String.init)
      let rest = Array(parts.dropFirst())
      switch parts[0] {
      case "E":
        let kind = try #require(CardGame.Kind(rawValue: rest[0])),
          level = try #require(CardGame.Difficulty(rawValue: rest[1]))
        out.append(
          Recorded(
            game: CardGame(kind, level), deck: [], queryDeck: nil, actions: [], observations: [], scale: nil, signs: [],
            ends: []))
      case "D": out[out.count - 1].deck = rest.map { Int32($0)! }
      case "Q": out[out.count - 1].queryDeck = rest.map { Int32($0)! }
      case "A": out[out.count - 1].actions = rest.map { Int($0)! }
      case "O": out[out.count - 1].observations = rest
      case "R":
        out[out.count - 1].scale = Double(rest[0])
        out[out.count - 1].signs = rest.count > 1 ? Array(rest[1]) : []
      case "T": out[out.count - 1].ends = Array(rest[0])
      default: Issue.record("unknown fixture line \(parts[0])")
      }
    }
    return out
  }

  /// The observation as the package wrote it: the one-hot inputs' hot index (and the query's).
  static func shown(_ e: CardEpisode) -> String {
    let g = e.game
    let hot = (0..<g.observationSize).filter { e.observation($0) == 1 }
    switch g.kind {
    case .countRecall: return hot.count == 2 ? "\(hot[0]):\(hot[1] - g.classes)" : "bad \(hot)"
    case .autoencode: return hot.count == 2 ? "\(hot[0]):\(hot[1] - 2)" : "bad \(hot)"
    default: return hot.count == 1 ? "\(hot[0])" : "bad \(hot)"
    }
  }

  @Test func replaysThePackagesEpisodesBitForBit() throws {
    let episodes = try Self.fixture()
    for kind in CardGame.Kind.allCases { #expect(episodes.filter { $0.game.kind == kind }.count >= 100) }
    for (n, r) in episodes.enumerated() {
      var e = CardEpisode(r.game)
      e.start(deck: r.deck, queryDeck: r.queryDeck)
      #expect(r.actions.count == r.game.length, "episode \(n): length")
      #expect(Self.shown(e) == r.observations[0], "episode \(n): reset observation")
      if let scale = r.scale {
        #expect(scale.bitPattern == r.game.rewardScale.bitPattern, "episode \(n): reward scale")
      }
      for (t, a) in r.actions.enumerated() {
        let (reward, done) = e.step(a)
        let want: Double =
          switch r.signs[t] {
          case "+": r.game.rewardScale
          case "-": -r.game.rewardScale
          default: 0
          }
        guard reward.bitPattern == want.bitPattern, done == (r.ends[t] == "1"), Self.shown(e) == r.observations[t + 1]
        else {
          Issue.record(
            "episode \(n) (\(r.game.taskName)), step \(t): reward \(reward) vs \(want), done \(done) vs \(r.ends[t]), observation \(Self.shown(e)) vs \(r.observations[t + 1])"
          )
          break
        }
      }
    }
  }

  /// A native episode's deck is a uniform shuffle, as the package's: over 10,000 resets the first
  /// dealt card's class (and CountRecall's first query) is uniform (chi-square, 0.1% level).
  @Test(
    arguments: CardGame.all.filter { ($0.difficulty == .easy || $0.kind == .countRecall) && $0.kind != .autoencode })
  func nativeDecksAreUniformShuffles(game: CardGame) {
    var e = CardEpisode(game)
    let classes = game.kind == .countRecall || game.kind == .higherLower ? game.classes : 4
    var dealt = [Int](repeating: 0, count: classes), queried = [Int](repeating: 0, count: classes)
    for r in 0..<10_000 {
      var rng = RandomStream(seed: 7, purpose: .rollout, rollout: r)
      e.start(using: &rng)
      for c in 0..<classes {
        if e.observation(c) == 1 { dealt[c] += 1 }
        if game.kind == .countRecall && e.observation(classes + c) == 1 { queried[c] += 1 }
      }
    }
    // Expected counts per class: ranks have 4 of 52 cards each, suits 13, colours 26: uniform.
    func chiSquare(_ counts: [Int]) -> Double {
      let expected = 10_000 / Double(classes)
      return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }
    // 0.1% critical values of chi-square with classes - 1 degrees of freedom.
    let critical = [2: 10.83, 4: 16.27, 13: 32.91][classes]!
    #expect(dealt.reduce(0, +) == 10_000 && chiSquare(dealt) < critical, "\(dealt)")
    if game.kind == .countRecall { #expect(chiSquare(queried) < critical, "\(queried)") }
  }

  /// The lanes play each rollout exactly as the scalar rollout does.
  @Test(arguments: [
    CardGame(.repeatPrevious, .easy), CardGame(.countRecall, .medium), CardGame(.higherLower, .easy),
    CardGame(.autoencode, .easy),
  ])
  func lanesEqualScalarRollouts(game: CardGame) throws {
    let task = CardMemoryTask(game)
    var rng = RandomStream(seed: 3, purpose: .initialPopulation)
    var genome = Genome.initial(
      inputs: task.inputCount, outputs: task.outputCount, connectionProbability: 0.6, using: &rng)
    genome = genome.withRecurrentLink()
    let network = try Network(genome)
    for (one, lanes) in playedBothWays(task, network, EpisodeKey(seed: 11, purpose: .rollout, generation: 2)) {
      #expect(one.reward.bitPattern == lanes.reward.bitPattern && one.steps == lanes.steps && one.steps == game.length)
    }
  }
}

extension Genome {
  /// The genome with one recurrent link from its first output to itself (so lanes carry state).
  fileprivate func withRecurrentLink() -> Genome {
    var g = self
    guard let out = g.nodes.first(where: { $0.kind == .output }) else { return g }
    let next = (g.connections.map(\.innovation.rawValue).max() ?? -1) + 1
    g.connections.append(
      ConnectionGene(innovation: Innovation(next), source: out.id, target: out.id, isEnabled: true, isRecurrent: true))
    return g
  }
}

/// Twelve rollouts of `network` (the six weights, two episodes) played by `task.rollouts` in lanes
/// and one by one by `task.rollout`: (scalar, lanes) per rollout.
func playedBothWays(_ task: any WANNTask, _ network: Network, _ episodes: EpisodeKey) -> [(
  RolloutResult, RolloutResult
)] {
  let plans = (0..<12).map { RolloutPlan(weights: .shared([-2.0, -1, -0.5, 0.5, 1, 2][$0 % 6]), episode: $0 / 6) }
  var evaluator = NetworkEvaluator()
  evaluator.load(network)
  let lanes = task.rollouts(&evaluator, plans: plans[...], episodes: episodes)
  return zip(plans, lanes).map { plan, result in
    guard case .shared(let w) = plan.weights else { preconditionFailure("shared weights only") }
    var stream = episodes.stream(repetition: plan.episode)
    var scalar = NetworkEvaluator()
    scalar.load(network)
    return (task.rollout(&scalar, weight: w, rng: &stream), result)
  }
}
