import Foundation
import Testing
import WANNCore
import WANNTasks

/// The native (noisy) position-only cart-poles against POPGym itself: every episode of
/// Tests/Fixtures/popgym-cartpole.txt (scripts/popgym_fixture.py: 100 per game over the three
/// difficulties; random, constant, alternating and balancing actions), replayed from the
/// package's initial state and noise draws with the recorded actions, gives the package's
/// observations (float32 bits), rewards and end flags, and its final state (float64 bits).
@Suite struct PositionOnlyCartPoleTests {
  static func bits(_ s: Substring) -> (Float, Float) {
    let p = s.split(separator: ":")
    return (Float(bitPattern: UInt32(p[0], radix: 16)!), Float(bitPattern: UInt32(p[1], radix: 16)!))
  }

  /// A fixture's episodes: each one's E line (game, difficulty, seed, policy) and its other
  /// records by their letter.
  static func episodes(_ name: String) throws -> [(header: [Substring], records: [Substring: [Substring]])] {
    let text = try String(contentsOf: Reference.fixtures.appendingPathComponent(name), encoding: .utf8)
    var out: [(header: [Substring], records: [Substring: [Substring]])] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let parts = line.split(separator: " ")
      if parts[0] == "E" {
        out.append((Array(parts.dropFirst()), [:]))
      } else {
        out[out.count - 1].records[parts[0]] = Array(parts.dropFirst())
      }
    }
    return out
  }

  @Test func replaysThePackagesEpisodesBitForBit() throws {
    let recorded = try Self.episodes("popgym-cartpole.txt")
    let games = try recorded.map { r in
      CartPoleMemoryGame(
        noisy: r.header[0].hasPrefix("noisy"), try #require(CardGame.Difficulty(rawValue: String(r.header[1]))))
    }
    let episodes = recorded.map(\.records)
    #expect(games.filter(\.noisy).count >= 100 && games.filter { !$0.noisy }.count >= 100)
    var truncated = 0
    for (n, (game, e)) in zip(games, episodes).enumerated() {
      let s = try #require(e["S"]).map { Double($0)! }
      let noise = (e["N"] ?? []).map(Self.bits)
      let observations = try #require(e["O"]).map(Self.bits)
      let actions = try #require(e["A"]).map { Int($0)! }
      let recordedReward = try #require(e["R"])
      let reward = try #require(Double(recordedReward[0]))
      let flags = Array(try #require(e["T"])[0])
      var episode = CartPoleMemoryEpisode(game)
      episode.start(state: (s[0], s[1], s[2], s[3]), noise: game.noisy ? noise[0] : (0, 0))
      #expect(reward.bitPattern == game.stepReward.bitPattern, "episode \(n): reward")
      func same(_ a: (Float, Float), _ b: (Float, Float)) -> Bool {
        a.0.bitPattern == b.0.bitPattern && a.1.bitPattern == b.1.bitPattern
      }
      #expect(same(episode.observation, observations[0]), "episode \(n): reset observation")
      for (t, a) in actions.enumerated() {
        let r = episode.step(a, noise: game.noisy ? noise[t + 1] : (0, 0))
        let flag = (r.terminated ? 1 : 0) + (r.truncated ? 2 : 0)
        guard same(episode.observation, observations[t + 1]), r.reward.bitPattern == reward.bitPattern,
          String(flag) == String(flags[t])
        else {
          Issue.record(
            "episode \(n) (\(game.taskName)), step \(t): observation \(episode.observation) vs \(observations[t + 1]), flags \(flag) vs \(flags[t])"
          )
          break
        }
        if r.truncated { truncated += 1 }
      }
      // The float32 observations round away the state's last bits: the final state (float64)
      // shows whether the arithmetic matched operation for operation.
      let f = try #require(e["F"]).map { Double($0)! }
      #expect(
        [episode.x, episode.xDot, episode.theta, episode.thetaDot].map(\.bitPattern) == f.map(\.bitPattern),
        "episode \(n): final state")
    }
    // The balancing policy reaches the time limit in some episodes: both end flags are exercised.
    #expect(truncated > 0)
  }

  /// The lanes play each rollout exactly as the scalar rollout does, noise included.
  @Test(arguments: [CartPoleMemoryGame(noisy: false, .medium), CartPoleMemoryGame(noisy: true, .easy)])
  func lanesEqualScalarRollouts(game: CartPoleMemoryGame) throws {
    let task = CartPoleMemoryTask(game)
    var rng = RandomStream(seed: 5, purpose: .initialPopulation)
    let genome = Genome.initial(inputs: 2, outputs: 2, connectionProbability: 1, using: &rng)
    let network = try Network(genome)
    for (one, lanes) in playedBothWays(task, network, EpisodeKey(seed: 9, purpose: .rollout, generation: 1)) {
      #expect(one.reward.bitPattern == lanes.reward.bitPattern && one.steps == lanes.steps)
    }
  }
}

extension PositionOnlyCartPoleTests {
  /// Native starts are U(-0.05, 0.05) and the noise N(0, sigma), as the package draws them:
  /// over 10,000 episodes the starts' mean and standard deviation and the noise's standard
  /// deviation agree with those distributions (the package's own are checked the same way in
  /// scripts/tests/test_popgym_cards.py).
  @Test func nativeDrawsHaveThePackagesDistributions() {
    let game = CartPoleMemoryGame(noisy: true, .easy)
    var values: [Double] = [], noise: [Double] = []
    for r in 0..<10_000 {
      var rng = RandomStream(seed: 4, purpose: .rollout, rollout: r)
      var e = CartPoleMemoryEpisode(game)
      e.start(using: &rng)
      values += [e.x, e.xDot, e.theta, e.thetaDot]
      noise.append(Double(game.noisy ? e.drawNoise(&rng).0 : 0))
    }
    let mean = values.reduce(0, +) / Double(values.count)
    let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    let noiseSD = (noise.map { $0 * $0 }.reduce(0, +) / Double(noise.count)).squareRoot()
    #expect(values.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
    #expect(abs(mean) < 0.002 && abs(sd - 0.1 / 12.0.squareRoot()) < 0.001, "mean \(mean), sd \(sd)")
    #expect(abs(noiseSD - 0.1) < 0.005, "noise sd \(noiseSD)")
  }
}
