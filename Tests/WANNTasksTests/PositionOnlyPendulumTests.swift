import Foundation
import Testing
import WANNCore
import WANNTasks

/// The native position-only pendulum against POPGym itself: every episode of
/// Tests/Fixtures/popgym-pendulum.txt (scripts/popgym_fixture.py: 100 over the three
/// difficulties; random torques beyond the bounds, none, bang-bang and swinging), replayed from
/// the package's initial state with the recorded float32 torques, gives the package's
/// observations (float32 bits), rewards (float64 bits), end flags and final state.
@Suite struct PositionOnlyPendulumTests {
  @Test func replaysThePackagesEpisodesBitForBit() throws {
    let recorded = try PositionOnlyCartPoleTests.episodes("popgym-pendulum.txt")
    let games = try recorded.map {
      PendulumMemoryGame(try #require(CardGame.Difficulty(rawValue: String($0.header[1]))))
    }
    let episodes = recorded.map(\.records)
    #expect(games.count >= 100)
    for (n, (game, e)) in zip(games, episodes).enumerated() {
      let s = try #require(e["S"]).map { Double($0)! }
      let torques = try #require(e["A"]).map { Float(bitPattern: UInt32($0, radix: 16)!) }
      let observations = try #require(e["O"]).map(PositionOnlyCartPoleTests.bits)
      let rewards = try #require(e["R"]).map { UInt64($0, radix: 16)! }
      let flags = Array(try #require(e["T"])[0])
      var episode = PendulumMemoryEpisode(game)
      episode.start(state: (s[0], s[1]))
      func same(_ a: (Float, Float), _ b: (Float, Float)) -> Bool {
        a.0.bitPattern == b.0.bitPattern && a.1.bitPattern == b.1.bitPattern
      }
      #expect(same(episode.observation, observations[0]), "episode \(n): reset observation")
      for (t, u) in torques.enumerated() {
        let r = episode.step(u)
        guard same(episode.observation, observations[t + 1]), r.reward.bitPattern == rewards[t],
          (r.truncated ? "2" : "0") == flags[t]
        else {
          Issue.record(
            "episode \(n) (\(game.taskName)), step \(t): observation \(episode.observation) vs \(observations[t + 1]), reward \(r.reward) vs \(Double(bitPattern: rewards[t])), flag \(r.truncated) vs \(flags[t])"
          )
          break
        }
      }
      let f = try #require(e["F"]).map { Double($0)! }
      #expect([episode.theta, episode.thetaDot].map(\.bitPattern) == f.map(\.bitPattern), "episode \(n): final state")
    }
  }

  @Test(arguments: PendulumMemoryGame.all)
  func lanesEqualScalarRollouts(game: PendulumMemoryGame) throws {
    let task = PendulumMemoryTask(game)
    var rng = RandomStream(seed: 6, purpose: .initialPopulation)
    let network = try Network(Genome.initial(inputs: 2, outputs: 1, connectionProbability: 1, using: &rng))
    for (one, lanes) in playedBothWays(task, network, EpisodeKey(seed: 8, purpose: .rollout, generation: 3)) {
      #expect(
        one.reward.bitPattern == lanes.reward.bitPattern && one.steps == lanes.steps && one.steps == game.maxSteps)
    }
  }

  /// Native starts are U(-π, π) and U(-1, 1), as the package draws them (its own are checked in
  /// scripts/tests/test_popgym_cards.py).
  @Test func nativeStartsHaveThePackagesDistribution() {
    var thetas: [Double] = [], speeds: [Double] = []
    for r in 0..<10_000 {
      var rng = RandomStream(seed: 2, purpose: .rollout, rollout: r)
      var e = PendulumMemoryEpisode(PendulumMemoryGame(.easy))
      e.start(using: &rng)
      thetas.append(e.theta)
      speeds.append(e.thetaDot)
    }
    func meanSD(_ xs: [Double]) -> (Double, Double) {
      let m = xs.reduce(0, +) / Double(xs.count)
      return (m, (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)).squareRoot())
    }
    let (mt, st) = meanSD(thetas), (ms, ss) = meanSD(speeds)
    #expect(thetas.allSatisfy { abs($0) <= .pi } && speeds.allSatisfy { abs($0) <= 1 })
    #expect(abs(mt) < 0.06 && abs(st - 2 * Double.pi / 12.0.squareRoot()) < 0.03, "theta \(mt) \(st)")
    #expect(abs(ms) < 0.02 && abs(ss - 2 / 12.0.squareRoot()) < 0.01, "speed \(ms) \(ss)")
  }
}
