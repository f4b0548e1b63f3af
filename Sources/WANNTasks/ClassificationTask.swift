import Foundation
import WANNCore

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
    struct Slice: Sendable { var labels: [UInt8]; var probabilities: [Float]; var loss: Double }
    let results = Locked([[Slice?]](repeating: [Slice?](repeating: nil, count: chunks), count: weights.count))
    WorkerPool.run(jobs: jobs, threads: threads) { queue in
      var e = NetworkEvaluator()
      e.load(network)
      while let job = queue.next() {
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
    return results.withLock { all in
      all.map { slices in
        let s = slices.map { $0! }
        return Predictions(labels: s.flatMap(\.labels), probabilities: keepProbabilities ? s.flatMap(\.probabilities) : nil,
                           meanLoss: s.reduce(0) { $0 + $1.loss } / Double(set.count))
      }
    }
  }
}

extension ClassificationTask {
  /// A rollout is already a batch of images evaluated eight at a time in lanes.
  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
                       episodes: EpisodeKey) -> [RolloutResult] {
    scalarRollouts(&evaluator, plans: plans, episodes: episodes)
  }
}
