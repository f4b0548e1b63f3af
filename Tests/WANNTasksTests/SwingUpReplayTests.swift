import Foundation
import Testing
import WANNCore
@testable import WANNTasks

/// Replays the original release's swing-up episodes and demands every observation, reward and
/// done flag bit for bit.
@Suite struct SwingUpReplayTests {
  struct Step { let action: Double; let obs: [Double]; let reward: Double; let done: Bool }
  struct Episode { let initial: [Double]; let steps: [Step] }

  static func bits(_ hex: Any) -> Double { Double(bitPattern: UInt64(hex as! String, radix: 16)!) }

  static func episodes() throws -> [Episode] {
    let data = try Reference.text("swingup_trajectories.json").data(using: .utf8)!
    let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    return (root["episodes"] as! [[String: Any]]).map { e in
      Episode(
        initial: (e["initial_state"] as! [Any]).map(bits),
        steps: (e["steps"] as! [[String: Any]]).map { s in
          Step(
            action: bits(s["action"]!), obs: (s["obs"] as! [Any]).map(bits),
            reward: bits(s["reward"]!), done: s["done"] as! Bool)
        })
    }
  }

  @Test func replaysEveryEpisodeBitForBit() throws {
    let episodes = try Self.episodes()
    #expect(episodes.count == 5)
    var compared = 0
    for (e, episode) in episodes.enumerated() {
      var env = CartPoleSwingUp(
        x: episode.initial[0], xDot: episode.initial[1],
        theta: episode.initial[2], thetaDot: episode.initial[3])
      for (t, step) in episode.steps.enumerated() {
        let (reward, done) = env.step(step.action)
        let obs = env.observation
        for i in 0..<5 where obs[i].bitPattern != step.obs[i].bitPattern {
          Issue.record("episode \(e) step \(t) obs[\(i)]: \(obs[i]) != \(step.obs[i])")
          return
        }
        #expect(
          reward.bitPattern == step.reward.bitPattern, "episode \(e) step \(t) reward \(reward) != \(step.reward)")
        #expect(done == step.done, "episode \(e) step \(t) done")
        compared += 1
      }
    }
    #expect(compared > 1900)
  }

  @Test func clipsActionsAndTreatsNaNAsZero() {
    var a = CartPoleSwingUp(x: 0.1, xDot: 0, theta: 3, thetaDot: 0)
    var b = a
    _ = a.step(5)
    _ = b.step(1)
    #expect(a == b)
    var c = CartPoleSwingUp(x: 0.1, xDot: 0, theta: 3, thetaDot: 0)
    var d = c
    _ = c.step(.nan)
    _ = d.step(0)
    #expect(c == d)
  }

  @Test func episodeEndsAtStepLimitOrBoundary() {
    var env = CartPoleSwingUp(x: 0, xDot: 0, theta: .pi, thetaDot: 0)
    var steps = 0
    while !env.step(0).done { steps += 1 }
    #expect(steps + 1 == CartPoleSwingUp.stepLimit)
    var fast = CartPoleSwingUp(x: 2.39, xDot: 5, theta: .pi, thetaDot: 0)
    #expect(fast.step(1).done)
  }
}
