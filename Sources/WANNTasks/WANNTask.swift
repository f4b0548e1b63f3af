import WANNCore

/// Result of one episode.
public struct RolloutResult: Sendable, Equatable {
  public var reward: Double
  public var steps: Int
}

/// A task a WANN is scored on: its interface (sizes, labels, hidden activation set) and one
/// rollout of a loaded network at one shared weight. Implementations keep their environment on
/// the stack and allocate nothing per step.
public protocol WANNTask: Sendable {
  var kind: TaskKind { get }
  var inputLabels: [String] { get }
  var outputLabels: [String] { get }
  /// The original release's hidden activation set for this task.
  var hiddenActivations: [Activation] { get }
  /// Runs one episode of the network loaded in `evaluator` with every connection at `weight`;
  /// the episode's randomness (initial state) comes from `rng`.
  func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult
  /// Plays several rollouts of the loaded network (`LaneRollouts` for tasks with a lane
  /// environment, `scalarRollouts` otherwise); results in plan order, each bit for bit what
  /// `rollout` returns for it.
  func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey)
    -> [RolloutResult]
  /// The same, told which network `evaluator` holds, for a task that runs more rollouts at once
  /// than one evaluator has lanes (GymTask). The default ignores the network.
  func rollouts(
    _ evaluator: inout NetworkEvaluator, network: Network, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult]
}

extension WANNTask {
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, network: Network, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    rollouts(&evaluator, plans: plans, episodes: episodes)
  }

  public var inputCount: Int { inputLabels.count }
  public var outputCount: Int { outputLabels.count }
  public var interface: TaskInterface {
    TaskInterface(inputLabels: inputLabels, outputLabels: outputLabels, hiddenActivations: hiddenActivations)
  }
}

public enum Tasks {
  /// The task of `kind`. Classification tasks load their dataset (once per process) and throw
  /// a `DatasetError` that names the fetch command when it is not installed; Gymnasium tasks
  /// start a worker and throw a `GymFailure` when the environment cannot run.
  public static func make(_ kind: TaskKind, batchSize: Int = 1000) throws -> any WANNTask {
    if let spec = kind.gym { return try GymTask(spec: spec) }
    if let task = popgym(kind) { return task }
    return switch kind {
    case .swingup: SwingUpTask()
    case .swingupNovel: SwingUpTask(observesVelocities: false)
    case .swingupBlink: SwingUpTask(observationPeriod: SwingUpTask.blinkPeriod)
    case .recall: RecallTask()
    case .digits, .mnist256: ClassificationTask(kind: kind, data: try Datasets.load(kind), batchSize: batchSize)
    case .biped: BipedTask()
    case .bipedHardcore: BipedTask(hardcore: true)
    default: preconditionFailure("no task \(kind)")
    }
  }

  /// The natively ported POPGym game `kind` names (docs/popgym.md), or nil.
  static func popgym(_ kind: TaskKind) -> (any WANNTask)? {
    if let game = CardGame.all.first(where: { $0.taskName == kind.rawValue }) { return CardMemoryTask(game) }
    if let game = CartPoleMemoryGame.all.first(where: { $0.taskName == kind.rawValue }) {
      return CartPoleMemoryTask(game)
    }
    if let game = PendulumMemoryGame.all.first(where: { $0.taskName == kind.rawValue }) {
      return PendulumMemoryTask(game)
    }
    return nil
  }

  /// Inputs, outputs and hidden activations of a task, without loading any data (for drawing,
  /// reading genomes and restoring a search). A Gymnasium task asks its worker (started once
  /// per process), so this throws a `GymFailure` where the environment cannot run.
  public static func interface(_ kind: TaskKind) throws(GymFailure) -> TaskInterface {
    let t: any WANNTask
    if let spec = kind.gym { return try GymTask(spec: spec).interface }
    if let task = popgym(kind) { return task.interface }
    switch kind {
    case .swingup: t = SwingUpTask()
    case .swingupNovel: t = SwingUpTask(observesVelocities: false)
    case .swingupBlink: t = SwingUpTask(observationPeriod: SwingUpTask.blinkPeriod)
    case .recall: t = RecallTask()
    case .biped: t = BipedTask()
    case .bipedHardcore: t = BipedTask(hardcore: true)
    case .digits, .mnist256:
      let side = kind == .digits ? 8 : 16
      return TaskInterface(
        inputLabels: ClassificationTask.pixelLabels(side: side), outputLabels: ClassificationTask.classLabels,
        hiddenActivations: ClassificationTask.hiddenActivationSet)
    default: preconditionFailure("no task \(kind)")
    }
    return TaskInterface(
      inputLabels: t.inputLabels, outputLabels: t.outputLabels, hiddenActivations: t.hiddenActivations)
  }
}

/// What a search and an archive need to know of a task without running it.
public struct TaskInterface: Sendable, Equatable {
  public var inputLabels: [String]
  public var outputLabels: [String]
  /// The original release's hidden activation set for the task.
  public var hiddenActivations: [Activation]
}
