import ArgumentParser
import Foundation
import WANNCore
import WANNTasks

/// `wann walker replay`: input and output of a replayed walker episode.
struct WalkerReplayInput: Codable {
  var x: [Double]
  var y: [Double]
  var polygons: [Double]?
  var initialForce: Double
  var hardcore: Bool?
  var actions: [[Double]]

  enum CodingKeys: String, CodingKey {
    case x, y, polygons, hardcore, actions
    case initialForce = "initial_force"
  }
}

struct WalkerReplayOutput: Codable {
  /// Observation after the reset, then after every action.
  var observations: [[Double]]
  var rewards: [Double]
  var done: [Bool]
}

struct WalkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "walker",
    abstract: "BipedalWalker tools for validation against reference implementations.",
    subcommands: [Replay.self])

  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replay a terrain and an action sequence (JSON on stdin), print observations and rewards (JSON).",
      discussion: """
        Input: {"x": [...], "y": [...], "polygons": [x0,y0,...x3,y3, ...], "initial_force": f, \
        "hardcore": false, "actions": [[a0,a1,a2,a3], ...]}: the terrain's surface points and \
        obstacle quadrilaterals, the push on the hull at reset, and the actions. Output: \
        {"observations": [reset, after action 1, ...], "rewards": [...], "done": [...]}. \
        scripts/biped_reference.py uses it to compare our walker with gymnasium's on the same \
        terrain and actions.
        """)

    func run() throws {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      let input: WalkerReplayInput
      do { input = try JSONDecoder().decode(WalkerReplayInput.self, from: data) } catch {
        throw CLIError("stdin is not a walker replay request: \(Inputs.describe(error))")
      }
      guard input.x.count == input.y.count, input.x.count >= 2 else {
        throw CLIError("x and y must have the same length (at least 2 points)")
      }
      guard (input.polygons?.count ?? 0) % 8 == 0 else {
        throw CLIError("polygons must hold 8 numbers per quadrilateral")
      }
      guard input.actions.allSatisfy({ $0.count == 4 }) else { throw CLIError("every action must have 4 values") }
      let sim = BipedalWalkerSimulation()
      let hardcore = input.hardcore ?? false
      sim.reset(
        WalkerTerrain(x: input.x, y: input.y, polygons: input.polygons ?? []), initialForce: input.initialForce,
        stepLimit: hardcore ? 2000 : 1600)
      var out = WalkerReplayOutput(observations: [sim.observation], rewards: [], done: [])
      for a in input.actions {
        out.rewards.append(sim.step((a[0], a[1], a[2], a[3])))
        out.observations.append(sim.observation)
        out.done.append(sim.done)
      }
      Output.line(Output.json(out))
    }
  }
}
