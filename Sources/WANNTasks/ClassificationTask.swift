import CLanes
import Foundation
import WANNCore

/// Image classification as a WANN task, as in the original release: a rollout shows the network
/// a batch of training images (drawn from the rollout's stream) and scores it with the negative
/// mean cross-entropy of the softmax of its 10 outputs. The batch goes through the network eight
/// images at a time in lanes (`NetworkEvaluator.forwardBatch`); a rollout's "steps" are its images.
public struct ClassificationTask: WANNTask {
  public let kind: TaskKind
  public let data: ClassificationData
  public let batchSize: Int
  /// The gathered training batches of recent episodes, shared by every genome and thread.
  let batches = GatheredBatches()

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
    let batch = GatheredBatch(data.train, size: batchSize, rng: &rng)
    return Self.score(&evaluator, on: batch, weight: weight)
  }

  /// Every planned rollout of the loaded network: the rollouts of one episode share one gathered
  /// batch (the same images for every weight and, through `batches`, for every genome), and its
  /// shared-weight rollouts go through the network together, each chunk of images loaded once.
  public func rollouts(
    _ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>,
    episodes: EpisodeKey
  ) -> [RolloutResult] {
    var results = [RolloutResult](repeating: RolloutResult(reward: .nan, steps: 0), count: plans.count)
    let indexed = Array(plans.enumerated())
    for episode in Set(plans.map(\.episode)).sorted() {
      let batch = batches.batch(for: episodes, repetition: episode) { rng in
        GatheredBatch(data.train, size: batchSize, rng: &rng)
      }
      var shared: [(index: Int, weight: Double)] = []
      for (k, plan) in indexed where plan.episode == episode {
        switch plan.weights {
        case .shared(let w): shared.append((k, w))
        case .individual(let ws):
          precondition(ws.count == evaluator.connectionCount, "one weight per enabled connection")
          evaluator.setConnectionWeights { ws[$0] }
          results[k] = Self.score(&evaluator, on: batch, weights: [.nan])[0]
        }
      }
      if !shared.isEmpty {
        evaluator.useSharedWeight()
        let scores = Self.score(&evaluator, on: batch, weights: shared.map(\.weight))
        for (entry, score) in zip(shared, scores) { results[entry.index] = score }
      }
    }
    return results
  }

  /// The negative mean cross-entropy of the loaded network on `batch` at `weight`.
  static func score(_ evaluator: inout NetworkEvaluator, on batch: GatheredBatch, weight: Double) -> RolloutResult {
    score(&evaluator, on: batch, weights: [weight])[0]
  }

  /// The negative mean cross-entropy of the loaded network on `batch` at each of `weights`.
  static func score(_ evaluator: inout NetworkEvaluator, on batch: GatheredBatch, weights: [Double]) -> [RolloutResult]
  {
    let n = batch.count
    evaluator.prepareBatch(size: n, weightCount: weights.count)
    return batch.rows.withUnsafeBufferPointer { rows in
      evaluator.forwardBatch(weights: weights, inputs: rows.baseAddress!, stride: batch.stride)
      return batch.labels.withUnsafeBufferPointer { labels in
        weights.indices.map { w in
          RolloutResult(
            reward: -crossEntropy(evaluator, weightIndex: w, labels: labels, count: n) / Double(n), steps: n)
        }
      }
    }
  }

  /// Sum over the batch of -log softmax(outputs)[label], computed stably (log-sum-exp), so a
  /// confident wrong answer costs a large finite loss rather than infinity (the original's
  /// softmax-then-log gives -inf rewards when a probability underflows). Eight samples at a
  /// time in CLanes: the maximum and the exponentials in lanes (within 1 ulp of glibc), the log
  /// per sample; the losses are summed in sample order.
  static func crossEntropy(
    _ e: borrowing NetworkEvaluator, weightIndex: Int, labels: UnsafeBufferPointer<UInt8>,
    count n: Int
  ) -> Double {
    let rows: [UnsafePointer<Double>?] = (0..<10).map { e.batchOutputs($0, weightIndex: weightIndex) }
    return rows.withUnsafeBufferPointer { r in
      wann_lanes_cross_entropy(r.baseAddress!, 10, labels.baseAddress!, Int32(n))
    }
  }

  /// -log softmax(outputs)[label] of one sample of the batch (the per-sample form of
  /// `crossEntropy`, for reports). Outputs that overflowed (e.g. chains of x²) give no usable
  /// probabilities: such a sample costs a fixed 1000 nats, far worse than guessing (ln 10 = 2.3),
  /// instead of NaN.
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

/// A rollout's training images, gathered input-major (row i holds feature i of every image, so
/// eight images of one feature are one vector load), with their labels.
struct GatheredBatch: Sendable {
  let rows: [Double]
  let labels: [UInt8]
  let count: Int
  /// Distance between rows (the count rounded up to whole lanes).
  let stride: Int

  /// Draws `size` images with replacement from `set`, as the rollout's stream dictates.
  init(_ set: LabeledImages, size: Int, rng: inout RandomStream) {
    let f = set.featureCount
    var picked = [Int](repeating: 0, count: size)
    for b in 0..<size { picked[b] = rng.uniformInt(below: set.count) }
    let stride = (size + NetworkEvaluator.laneCount - 1) / NetworkEvaluator.laneCount * NetworkEvaluator.laneCount
    var rows = [Double](repeating: 0, count: f * stride)
    set.features.withUnsafeBufferPointer { x in
      rows.withUnsafeMutableBufferPointer { r in
        for (b, image) in picked.enumerated() {
          let source = x.baseAddress! + image * f
          for i in 0..<f { r[i * stride + b] = source[i] }
        }
      }
    }
    self.rows = rows
    self.labels = picked.map { set.labels[$0] }
    self.count = size
    self.stride = stride
  }
}

/// The batches of the most recent episodes (a generation's repetitions), gathered once and read
/// by every genome's rollouts on every thread. The lock is taken once per rollout.
final class GatheredBatches: Sendable {
  private let recent = Locked([(key: EpisodeKey, repetition: Int, batch: GatheredBatch)]())
  static let kept = 8

  func batch(for key: EpisodeKey, repetition: Int, gather: (inout RandomStream) -> GatheredBatch) -> GatheredBatch {
    recent.withLock { entries in
      if let hit = entries.first(where: { $0.key == key && $0.repetition == repetition }) { return hit.batch }
      var rng = key.stream(repetition: repetition)
      let batch = gather(&rng)
      entries.append((key, repetition, batch))
      if entries.count > Self.kept { entries.removeFirst() }
      return batch
    }
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
  public static func predict(
    _ network: Network, on set: LabeledImages, weights: [Double],
    keepProbabilities: Bool, threads: Int
  ) -> [Predictions] {
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
        var slice = Slice(
          labels: [UInt8](repeating: 0, count: n),
          probabilities: keepProbabilities ? [Float](repeating: 0, count: n * 10) : [], loss: 0)
        for b in 0..<n {
          var top = -Double.infinity, best = 0
          for o in 0..<10 where e.batchOutputs(o)[b] > top { top = e.batchOutputs(o)[b]; best = o }
          slice.labels[b] = UInt8(best)
          slice.loss += sampleLoss(e, sample: b, label: Int(set.labels[start + b]))
          if keepProbabilities {
            var sum = 0.0
            for o in 0..<10 { sum += Foundation.exp(e.batchOutputs(o)[b] - top) }
            for o in 0..<10 {
              slice.probabilities[b * 10 + o] = Float(Foundation.exp(e.batchOutputs(o)[b] - top) / sum)
            }
          }
        }
        results.withLock { $0[w][c] = slice }
      }
    }
    return results.withLock { all in
      all.map { slices in
        let s = slices.map { $0! }
        return Predictions(
          labels: s.flatMap(\.labels), probabilities: keepProbabilities ? s.flatMap(\.probabilities) : nil,
          meanLoss: s.reduce(0) { $0 + $1.loss } / Double(set.count))
      }
    }
  }
}
