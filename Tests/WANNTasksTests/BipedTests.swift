import Foundation
import Testing
import WANNCore
@testable import WANNTasks

@Suite struct BipedTests {
  @Test func terrainFollowsTheOriginalGenerator() {
    var rng = RandomStream(seed: 4, purpose: .rollout)
    let t = WalkerTerrain.generate(hardcore: false, rng: &rng)
    #expect(t.x.count == 200 && t.y.count == 200 && t.polygons.isEmpty)
    #expect(zip(t.x.dropFirst(), t.x).allSatisfy { abs($0 - $1 - 14.0 / 30) < 1e-12 })
    // The start pad (the first 21 points) is flat at TERRAIN_HEIGHT; the rest is a gentle walk.
    #expect(t.y.prefix(21).allSatisfy { $0 == 400.0 / 30 / 4 })
    #expect(t.y.contains { $0 != 400.0 / 30 / 4 })
    #expect(zip(t.y.dropFirst(), t.y).allSatisfy { abs($0 - $1) < 0.5 })
    var again = RandomStream(seed: 4, purpose: .rollout)
    #expect(WalkerTerrain.generate(hardcore: false, rng: &again) == t)
    var hard = RandomStream(seed: 4, purpose: .rollout)
    let h = WalkerTerrain.generate(hardcore: true, rng: &hard)
    #expect(!h.polygons.isEmpty && h.polygons.count % 8 == 0)
  }

  @Test func resetAndPassiveStepsAreSane() {
    var rng = RandomStream(seed: 1, purpose: .rollout)
    let sim = BipedalWalkerSimulation()
    sim.reset(WalkerTerrain.generate(hardcore: false, rng: &rng), initialForce: 0, stepLimit: 1600)
    let o = sim.observation
    #expect(o.count == 24)
    #expect(o[14...].allSatisfy { $0 > 0 && $0 <= 1 })  // lidar fractions
    #expect(o[8] == 1 && o[13] == 1)  // both feet on the ground after the reset step
    let startX = sim.hullX
    for _ in 0..<100 { sim.step((0, 0, 0, 0)) }
    // Motors off: the legs fold and the walker settles, but it neither falls on its hull nor
    // runs away.
    #expect(!sim.done)
    #expect(sim.observation.allSatisfy { $0.isFinite })
    #expect(abs(sim.hullX - startX) < 3)
  }

  @Test func episodesEndAtTheStepLimitAndNaNActsAsZero() {
    var rng = RandomStream(seed: 2, purpose: .rollout)
    let terrain = WalkerTerrain.generate(hardcore: false, rng: &rng)
    let a = BipedalWalkerSimulation(), b = BipedalWalkerSimulation()
    a.reset(terrain, initialForce: 1, stepLimit: 30)
    b.reset(terrain, initialForce: 1, stepLimit: 30)
    var steps = 0
    while !a.done {
      a.step((Double.nan, 0.3, Double.nan, -0.3))
      b.step((0, 0.3, 0, -0.3))
      steps += 1
      #expect(a.observation == b.observation)
    }
    // As the original: the reset's own step does not count; the 30th step after it ends it.
    #expect(steps == 30)
  }

  /// The original release's walker champion walks in our physics: at w = -1 it gains far more
  /// than standing still would (the paper: 261 +- 58 at its tuned weight).
  @Test func originalChampionWalks() throws {
    let text = try Reference.text("original-champions/biped.out")
    let genome = try OriginalNetwork(csv: text, inputs: 24, outputs: 4).genome
    let evaluator = ParallelEvaluator(threads: 2)
    let (m, steps) = evaluator.evaluate(
      task: BipedTask(), networks: [try Network(genome)], weights: [-1], repetitions: 4,
      episodes: EpisodeKey(seed: 1, purpose: .evaluation))
    #expect(Statistics.mean(m.values) > 200)
    #expect(steps > 4 * 1000)
    // Deterministic: the same episodes give the same rewards with one thread.
    let (again, _) = ParallelEvaluator(threads: 1).evaluate(
      task: BipedTask(), networks: [try Network(genome)], weights: [-1],
      repetitions: 4, episodes: EpisodeKey(seed: 1, purpose: .evaluation))
    #expect(again.values == m.values)
  }
}
