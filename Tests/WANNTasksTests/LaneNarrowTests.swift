import Testing
import WANNCore
@testable import WANNTasks

/// The narrow step (the network in the first four lanes, for the end of a round of rollouts) and
/// the lane moves that feed it: a lane's bits must not depend on the width it ran at or on the
/// lane it was moved to.
@Suite struct LaneNarrowTests {
  static let narrow = NetworkEvaluator.narrowLaneCount

  /// Observations that differ in every lane and step, and the same for any evaluator.
  static func setInputs(_ evaluator: inout NetworkEvaluator, step: Int) {
    for i in 0..<evaluator.inputCount {
      var v = Lanes()
      for lane in 0..<Lanes.scalarCount { v[lane] = Double((step * 31 + i * 7 + lane * 3) % 17) / 4 - 2 }
      evaluator.setInput(i, v)
    }
  }

  /// Gives every lane its own shared weight, or (individual) its own connection weights.
  static func setWeights(_ evaluator: inout NetworkEvaluator, individual: Bool) {
    if individual {
      for lane in 0..<Lanes.scalarCount {
        evaluator.setConnectionWeights(lane: lane) { Double(($0 * 5 + lane) % 9) / 3 - 1.5 }
      }
    } else {
      evaluator.useSharedWeight()
      for (lane, w) in [-2.0, -1, -0.5, 0.5, 1, 2, 1.5, -1.5].enumerated() { evaluator.setLaneWeight(lane, w) }
    }
  }

  /// An evaluator holding `network`, each lane with its own weights.
  static func loaded(_ network: Network, individual: Bool) -> NetworkEvaluator {
    var evaluator = NetworkEvaluator()
    evaluator.load(network)
    setWeights(&evaluator, individual: individual)
    return evaluator
  }

  static func bits(_ v: Lanes) -> [UInt64] { (0..<Lanes.scalarCount).map { v[$0].bitPattern } }

  static func cases() throws -> [(Network, Bool)] {
    let feedForward = try LaneRolloutTests.networks(inputs: 5, outputs: 2, recurrent: false, count: 3)
    let recurrent = try LaneRolloutTests.networks(inputs: 5, outputs: 2, recurrent: true, count: 3)
    return (feedForward + recurrent).flatMap { [($0, false), ($0, true)] }
  }

  /// Over several steps (so recurrent state carries), the narrow step gives lanes 0-3 the wide
  /// step's bits and leaves lanes 4-7 as they were.
  @Test func narrowStepIsTheWideStepInTheFirstLanes() throws {
    for (network, individual) in try Self.cases() {
      var wide = Self.loaded(network, individual: individual)
      var narrow = Self.loaded(network, individual: individual)
      for step in 0..<6 {
        Self.setInputs(&wide, step: step)
        Self.setInputs(&narrow, step: step)
        let before = (0..<network.outputCount).map { Self.bits(narrow.outputLanes($0)) }
        wide.forward()
        narrow.forwardNarrow()
        for o in 0..<network.outputCount {
          let w = Self.bits(wide.outputLanes(o)), n = Self.bits(narrow.outputLanes(o))
          #expect(n[..<Self.narrow] == w[..<Self.narrow], "output \(o), step \(step): narrow lanes differ")
          #expect(n[Self.narrow...] == before[o][Self.narrow...], "output \(o), step \(step): lanes 4-7 written")
        }
      }
    }
  }

  /// An episode moved from a high lane into a narrow one mid-way (node values, recurrent state,
  /// weights) goes on exactly as it would have in its own lane of the wide step.
  @Test func aMovedLaneGoesOnAsIfItHadStayed() throws {
    for (network, individual) in try Self.cases() {
      var stayed = Self.loaded(network, individual: individual)
      var moved = Self.loaded(network, individual: individual)
      for step in 0..<3 {
        Self.setInputs(&stayed, step: step)
        Self.setInputs(&moved, step: step)
        stayed.forward()
        moved.forward()
      }
      // Lanes 5 and 7 go on in narrow lanes 0 and 1 (as LaneRollouts gathers them).
      let gathered = [5, 7]
      for (j, lane) in gathered.enumerated() { moved.moveLane(from: lane, to: j) }
      for step in 3..<8 {
        Self.setInputs(&stayed, step: step)
        Self.setInputs(&moved, step: step)
        stayed.forward()
        for (j, lane) in gathered.enumerated() { moved.copyInputs(fromLane: lane, toLane: j) }
        moved.forwardNarrow()
        for (j, lane) in gathered.enumerated().reversed() { moved.copyOutputs(fromLane: j, toLane: lane) }
        for o in 0..<network.outputCount {
          let s = Self.bits(stayed.outputLanes(o)), m = Self.bits(moved.outputLanes(o))
          for lane in gathered {
            #expect(m[lane] == s[lane], "output \(o), step \(step), lane \(lane): the moved episode differs")
          }
        }
      }
    }
  }

  /// Rollouts whose last round leaves few lanes playing run it narrow (fewer lane-steps computed
  /// than eight per pass) with the scalar rollouts' results.
  @Test func theLastRoundRunsNarrowWithTheSameResults() throws {
    let networks = try LaneRolloutTests.networks(inputs: 5, outputs: 1, recurrent: true)
    let key = EpisodeKey(seed: 5, purpose: .evaluation)
    for network in networks {
      var evaluator = NetworkEvaluator()
      evaluator.load(network)
      // 10 rollouts: eight, then two (or fewer, as episodes end) in the narrow step.
      let plans = (0..<10).map { RolloutPlan(weights: .shared([-2.0, -1, 1, 2, 0.5][$0 % 5]), episode: $0 / 5) }
      let lanes = SwingUpTask().rollouts(&evaluator, plans: plans[...], episodes: key)
      let scalar = SwingUpTask().scalarRollouts(&evaluator, plans: plans[...], episodes: key)
      #expect(lanes.map(\.reward.bitPattern) == scalar.map(\.reward.bitPattern))
      #expect(lanes.map(\.steps) == scalar.map(\.steps))
      #expect(evaluator.computedLaneSteps < evaluator.lanePasses * NetworkEvaluator.laneCount)
      #expect(evaluator.computedLaneSteps >= lanes.map(\.steps).reduce(0, +))
    }
  }
}
