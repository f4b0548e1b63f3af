import Dispatch
import Foundation
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
}

extension WANNTask {
  public var inputCount: Int { inputLabels.count }
  public var outputCount: Int { outputLabels.count }
}

public enum Tasks {
  /// The task of `kind`. Classification tasks load their dataset (once per process) and throw
  /// a `DatasetError` that names the fetch command when it is not installed.
  public static func make(_ kind: TaskKind, batchSize: Int = 1000) throws(DatasetError) -> any WANNTask {
    switch kind {
    case .swingup: SwingUpTask()
    case .swingupNovel: SwingUpTask(observesVelocities: false)
    case .recall: RecallTask()
    case .digits, .mnist256: ClassificationTask(kind: kind, data: try Datasets.load(kind), batchSize: batchSize)
    case .biped: BipedTask()
    case .bipedHardcore: BipedTask(hardcore: true)
    }
  }

  /// Inputs, outputs and hidden activations of a task, without loading any data (for drawing
  /// and reading genomes).
  public static func interface(_ kind: TaskKind) -> (inputLabels: [String], outputLabels: [String], hiddenActivations: [Activation]) {
    switch kind {
    case .swingup, .swingupNovel, .recall, .biped, .bipedHardcore:
      let t = try! make(kind)  // these tasks load nothing and cannot fail
      return (t.inputLabels, t.outputLabels, t.hiddenActivations)
    case .digits, .mnist256:
      let side = kind == .digits ? 8 : 16
      return (ClassificationTask.pixelLabels(side: side), ClassificationTask.classLabels, ClassificationTask.hiddenActivationSet)
    }
  }
}

/// Image classification as a WANN task, as in the original release: a rollout shows the network
/// a batch of training images (drawn from the rollout's stream) and scores it with the negative
/// mean cross-entropy of the softmax of its 10 outputs. The whole batch is evaluated at once,
/// node by node (`NetworkEvaluator.forwardBatch`); a rollout's "steps" are its images.
public struct ClassificationTask: WANNTask {
  public let kind: TaskKind
  public let data: ClassificationData
  public let batchSize: Int

  public init(kind: TaskKind, data: ClassificationData, batchSize: Int = 1000) {
    precondition(batchSize >= 1, "batchSize must be at least 1")
    self.kind = kind
    self.data = data
    self.batchSize = batchSize
  }

  public static let classLabels = (0...9).map { "digit \($0)" }
  /// The original's hidden activations for classification: every one but step.
  public static let hiddenActivationSet = Activation.originalControlSet.filter { $0 != .step }

  static func pixelLabels(side: Int) -> [String] {
    (0..<side * side).map { "px(\($0 / side),\($0 % side))" }
  }

  public var inputLabels: [String] { Self.pixelLabels(side: data.train.featureCount == 64 ? 8 : 16) }
  public var outputLabels: [String] { Self.classLabels }
  public var hiddenActivations: [Activation] { Self.hiddenActivationSet }

  /// The original draws a batch without replacement (the first `batch` entries of a random
  /// permutation); we draw `batchSize` indices uniformly with replacement, which needs no
  /// per-rollout scratch (with 1000 of 60000, about 8 repeats per batch).
  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    let set = data.train
    let n = batchSize, f = set.featureCount
    evaluator.prepareBatch(size: n)
    var loss = 0.0
    set.features.withUnsafeBufferPointer { x in
      set.labels.withUnsafeBufferPointer { y in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { picked in
          for b in 0..<n { picked[b] = Int32(rng.uniformInt(below: set.count)) }
          // Only the inputs the network reads are gathered (sparse networks read few pixels).
          for u in 0..<evaluator.usedInputCount {
            let i = evaluator.usedInput(u)
            let row = evaluator.batchInputs(i)
            for b in 0..<n { row[b] = x[Int(picked[b]) &* f &+ i] }
          }
          evaluator.forwardBatch(weight: weight)
          loss = Self.crossEntropy(evaluator, labels: { Int(y[Int(picked[$0])]) }, count: n)
        }
      }
    }
    return RolloutResult(reward: -loss / Double(n), steps: n)
  }

  /// Sum over the batch of -log softmax(outputs)[label], computed stably (log-sum-exp), so a
  /// confident wrong answer costs a large finite loss rather than infinity (the original's
  /// softmax-then-log gives -inf rewards when a probability underflows).
  @inline(__always)
  static func crossEntropy(_ e: borrowing NetworkEvaluator, labels: (Int) -> Int, count n: Int) -> Double {
    var total = 0.0
    for b in 0..<n { total += sampleLoss(e, sample: b, label: labels(b)) }
    return total
  }

  /// -log softmax(outputs)[label] of one sample of the batch. Outputs that overflowed (e.g.
  /// chains of x²) give no usable probabilities: such a sample costs a fixed 1000 nats, far
  /// worse than guessing (ln 10 = 2.3), instead of NaN.
  @inline(__always)
  static func sampleLoss(_ e: borrowing NetworkEvaluator, sample b: Int, label: Int) -> Double {
    var top = -Double.infinity
    for o in 0..<10 { top = Swift.max(top, e.batchOutputs(o)[b]) }
    var sum = 0.0
    for o in 0..<10 { sum += Foundation.exp(e.batchOutputs(o)[b] - top) }
    let loss = (top + Foundation.log(sum)) - e.batchOutputs(label)[b]
    return loss.isFinite ? loss : 1000
  }
}

/// CartPoleSwingUp as a WANN task: 5 inputs, 1 linear output used as the force. The "novel"
/// variant observes only (x, cos θ, sin θ): velocities must be inferred from the past, which a
/// feed-forward network cannot do.
public struct SwingUpTask: WANNTask {
  public let observesVelocities: Bool
  /// Observation indices the network sees.
  let observed: [Int]

  public init(observesVelocities: Bool = true) {
    self.observesVelocities = observesVelocities
    observed = observesVelocities ? [0, 1, 2, 3, 4] : [0, 2, 3]
  }

  public var kind: TaskKind { observesVelocities ? .swingup : .swingupNovel }
  public var inputLabels: [String] { observed.map { CartPoleSwingUp.observationLabels[$0] } }
  public var outputLabels: [String] { ["force"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  /// As the original's `testInd`: the first action comes from the reset observation, then the
  /// network acts on each new observation until the environment ends the episode (at most 1000
  /// steps). Like the original, the done flag of the very first step is not checked.
  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var env = CartPoleSwingUp()
    env.reset(using: &rng)
    evaluator.resetState()
    var total = 0.0
    var steps = 0
    let full = observesVelocities
    while true {
      if full {
        for i in 0..<5 { evaluator.setInput(i, env.observation(i)) }
      } else {
        evaluator.setInput(0, env.x)
        evaluator.setInput(1, env.cosTheta)
        evaluator.setInput(2, env.sinTheta)
      }
      evaluator.forward(weight: weight)
      let (reward, done) = env.step(evaluator.output(0))
      total += reward
      steps += 1
      if done && steps > 1 { break }
    }
    return RolloutResult(reward: total, steps: steps)
  }
}

/// Sequence recall, a minimal memory benchmark. Each step shows a random sign x(t) in {-1, +1};
/// from the second step on the network must output the sign of the *previous* input. The
/// reward is the number of steps (out of 99) whose output has the right sign (an output of 0 is
/// wrong).
///
/// A feed-forward network cannot beat chance: its output at step t is a function of x(t) (and
/// the constant bias) only, and x(t - 1) is independent of x(t), so each step is right with
/// probability at most 1/2: expected reward <= 49.5. A recurrent network reaches the optimum 99
/// at every weight: in -> h (linear) and h -> out (recurrent) give out(t) = w^2 x(t - 1).
public struct RecallTask: WANNTask {
  public static let length = 100

  public init() {}
  public var kind: TaskKind { .recall }
  public var inputLabels: [String] { ["x"] }
  public var outputLabels: [String] { ["previous x"] }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    evaluator.resetState()
    var previous = 0.0
    var correct = 0
    for t in 0..<Self.length {
      let x: Double = rng.next() & 1 == 0 ? -1 : 1
      evaluator.setInput(0, x)
      evaluator.forward(weight: weight)
      let out = evaluator.output(0)
      if t > 0 && out * previous > 0 { correct += 1 }
      previous = x
    }
    return RolloutResult(reward: Double(correct), steps: Self.length)
  }
}

extension ClassificationTask {
  /// A network's answers on a set of images at one shared weight.
  public struct Predictions: Sendable {
    /// The predicted digit per image (argmax of the outputs; the lowest digit on ties).
    public let labels: [UInt8]
    /// Softmax probabilities, image-major (count x 10), when asked for.
    public let probabilities: [Float]?
    /// Mean cross-entropy over the images (as the search's reward, negated).
    public let meanLoss: Double
  }

  /// Classifies every image of `set` at every weight. Jobs of (weight, 1000 images) are spread
  /// over `threads`; each job writes only its own slice, so results do not depend on threads.
  public static func predict(_ network: Network, on set: LabeledImages, weights: [Double],
                             keepProbabilities: Bool, threads: Int) -> [Predictions] {
    let chunk = 1000
    let chunks = (set.count + chunk - 1) / chunk
    let jobs = weights.count * chunks
    let counter = JobCounter()
    struct Slice: Sendable { var labels: [UInt8]; var probabilities: [Float]; var loss: Double }
    let results = Locked([[Slice?]](repeating: [Slice?](repeating: nil, count: chunks), count: weights.count))
    let work: @Sendable (Int) -> Void = { _ in
      var e = NetworkEvaluator()
      e.load(network)
      while true {
        let job = counter.take()
        if job >= jobs { break }
        let w = job / chunks, c = job % chunks
        let start = c * chunk, n = min(chunk, set.count - start)
        e.prepareBatch(size: n)
        set.features.withUnsafeBufferPointer { x in
          for i in 0..<set.featureCount {
            let row = e.batchInputs(i)
            for b in 0..<n { row[b] = x[(start + b) * set.featureCount + i] }
          }
        }
        e.forwardBatch(weight: weights[w])
        var slice = Slice(labels: [UInt8](repeating: 0, count: n), probabilities: keepProbabilities ? [Float](repeating: 0, count: n * 10) : [], loss: 0)
        for b in 0..<n {
          var top = -Double.infinity, best = 0
          for o in 0..<10 where e.batchOutputs(o)[b] > top { top = e.batchOutputs(o)[b]; best = o }
          slice.labels[b] = UInt8(best)
          slice.loss += sampleLoss(e, sample: b, label: Int(set.labels[start + b]))
          if keepProbabilities {
            var sum = 0.0
            for o in 0..<10 { sum += Foundation.exp(e.batchOutputs(o)[b] - top) }
            for o in 0..<10 { slice.probabilities[b * 10 + o] = Float(Foundation.exp(e.batchOutputs(o)[b] - top) / sum) }
          }
        }
        results.withLock { $0[w][c] = slice }
      }
    }
    let workers = min(threads, max(jobs, 1))
    if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
    return results.withLock { all in
      all.map { slices in
        let s = slices.map { $0! }
        return Predictions(labels: s.flatMap(\.labels), probabilities: keepProbabilities ? s.flatMap(\.probabilities) : nil,
                           meanLoss: s.reduce(0) { $0 + $1.loss } / Double(set.count))
      }
    }
  }
}
