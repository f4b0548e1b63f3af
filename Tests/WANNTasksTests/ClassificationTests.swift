import Foundation
import Testing
import WANNCore
@testable import WANNTasks

/// A 3-input, 10-output network: input i -> output i (i < 3), a tanh hidden node from input 0
/// to output 5, and the bias to output 9.
func tinyClassifier() -> Genome {
  var g = Genome.bare(inputs: 3, outputs: 10)
  g.nodes.append(NodeGene(id: NodeID(14), kind: .hidden, activation: .tanh))
  var n: Int64 = 0
  func link(_ s: Int32, _ t: Int32) {
    g.connections.append(ConnectionGene(innovation: Innovation(n), source: NodeID(s), target: NodeID(t))); n += 1
  }
  for i in 0..<3 { link(Int32(1 + i), Int32(4 + i)) }
  link(1, 14); link(14, 9); link(0, 13)
  return g
}

@Suite struct ClassificationTests {
  static let images = LabeledImages(
    features: [0.2, 0.9, 0.1, 0.7, 0.0, 0.3, 0.5, 0.5, 1.0], labels: [1, 0, 2], featureCount: 3)

  /// Batch evaluation gives exactly the per-sample forward pass, shared or individual weights.
  @Test(arguments: [-1.5, 0.5, 2.0])
  func batchEqualsOneSampleAtATime(_ w: Double) throws {
    let net = try Network(tinyClassifier())
    var single = NetworkEvaluator(), batch = NetworkEvaluator()
    single.load(net)
    batch.load(net)
    for individual in [false, true] {
      if individual {
        single.setConnectionWeights { 0.3 + Double($0) * 0.2 }
        batch.setConnectionWeights { 0.3 + Double($0) * 0.2 }
      }
      batch.prepareBatch(size: 3)
      for b in 0..<3 { for i in 0..<3 { batch.batchInputs(i)[b] = Self.images.features[b * 3 + i] } }
      batch.forwardBatch(weight: w)
      for b in 0..<3 {
        single.resetState()
        for i in 0..<3 { single.setInput(i, Self.images.features[b * 3 + i]) }
        single.forward(weight: w)
        for o in 0..<10 { #expect(batch.batchOutputs(o)[b].bitPattern == single.output(o).bitPattern) }
      }
    }
  }

  /// The reward is -(mean cross-entropy of the softmax outputs) over the drawn batch.
  @Test func rewardIsNegativeMeanCrossEntropy() throws {
    let data = ClassificationData(train: Self.images, test: Self.images)
    let task = ClassificationTask(kind: .digits, data: data, batchSize: 5)
    let net = try Network(tinyClassifier())
    var e = NetworkEvaluator()
    e.load(net)
    var rng = RandomStream(seed: 3, purpose: .rollout)
    let result = task.rollout(&e, weight: 1.5, rng: &rng)
    // Replay the draws and compute by hand.
    var replay = RandomStream(seed: 3, purpose: .rollout)
    var total = 0.0
    for _ in 0..<5 {
      let k = replay.uniformInt(below: 3)
      let x = Array(Self.images.features[k * 3..<k * 3 + 3])
      var z = [Double](repeating: 0, count: 10)
      z[0] = 1.5 * x[0]; z[1] = 1.5 * x[1]; z[2] = 1.5 * x[2]
      z[5] = 1.5 * tanh(1.5 * x[0])
      z[9] = 1.5 * 1
      let logSum = log(z.map { exp($0) }.reduce(0, +))
      total += logSum - z[Int(Self.images.labels[k])]
    }
    #expect(result.steps == 5)
    #expect(abs(result.reward - (-total / 5)) < 1e-12)
  }

  @Test func predictionsDoNotDependOnThreads() throws {
    let net = try Network(tinyClassifier())
    var features: [Double] = [], labels: [UInt8] = []
    var rng = RandomStream(seed: 1, purpose: .benchmark)
    for i in 0..<2500 { for _ in 0..<3 { features.append(rng.uniform()) }; labels.append(UInt8(i % 10)) }
    let set = LabeledImages(features: features, labels: labels, featureCount: 3)
    let a = ClassificationTask.predict(net, on: set, weights: [-1, 0.5, 2], keepProbabilities: true, threads: 1)
    let b = ClassificationTask.predict(net, on: set, weights: [-1, 0.5, 2], keepProbabilities: true, threads: 2)
    for k in 0..<3 {
      #expect(a[k].labels == b[k].labels && a[k].probabilities == b[k].probabilities && a[k].meanLoss == b[k].meanLoss)
    }
    // Probabilities are a softmax: each image's ten sum to 1.
    let p = a[0].probabilities!
    #expect((0..<2500).allSatisfy { i in abs(p[i * 10..<i * 10 + 10].reduce(0, +) - 1) < 1e-5 })
  }

  @Test func resizeKeepsAConstantImageAndDeskewStraightensAShear() {
    let flat = [Double](repeating: 0.4, count: 784)
    #expect(MNISTPreprocessing.resize(flat, from: 28, to: 16).allSatisfy { abs($0 - 0.4) < 1e-7 })
    // A slanted bar: x = 5 + y / 2 on a 16x16 image; after deskewing, its columns line up.
    var bar = [Double](repeating: 0, count: 256)
    for y in 2..<14 { bar[y * 16 + 5 + y / 2] = 1 }
    let straight = MNISTPreprocessing.deskew(bar, size: 16)
    func mu11(_ img: [Double]) -> Double {
      var m00 = 0.0, mx = 0.0, my = 0.0, mxy = 0.0
      for y in 0..<16 {
        for x in 0..<16 {
          let v = img[y * 16 + x]; m00 += v; mx += Double(x) * v; my += Double(y) * v; mxy += Double(x * y) * v
        }
      }
      return mxy / m00 - (mx / m00) * (my / m00)
    }
    #expect(abs(mu11(straight)) < 0.1 * abs(mu11(bar)))
    // An upright bar is left alone.
    var upright = [Double](repeating: 0, count: 256)
    for y in 2..<14 { upright[y * 16 + 7] = 1 }
    #expect(MNISTPreprocessing.deskew(upright, size: 16) == upright)
  }

  static func tempDataDir(digits csv: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wann-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("digits"), withIntermediateDirectories: true)
    try csv.write(to: dir.appendingPathComponent("digits/digits.csv"), atomically: true, encoding: .utf8)
    return dir.path
  }

  @Test func missingOrDamagedDataGivesErrorsThatNameTheFix() throws {
    #expect(throws: DatasetError.self) { try Datasets.digits(directory: "/nonexistent") }
    do { _ = try Datasets.digits(directory: "/nonexistent") } catch {
      #expect("\(error)".contains("scripts/fetch_data digits"))
    }
    let row = (0..<64).map { _ in "3" }.joined(separator: ",")
    let short = try Self.tempDataDir(digits: (0..<10).map { "\(row),\($0)" }.joined(separator: "\n") + "\n")
    do { _ = try Datasets.digits(directory: short); Issue.record("10 rows accepted") } catch {
      #expect("\(error)".contains("10 images, expected 1797"))
    }
    let bad = try Self.tempDataDir(digits: "\(row),1\n\(row),x\n")
    do { _ = try Datasets.digits(directory: bad); Issue.record("a letter accepted") } catch {
      #expect("\(error)".contains("line 2") && "\(error)".contains("unexpected character"))
    }
    let label = try Self.tempDataDir(digits: "\(row),12\n")
    do { _ = try Datasets.digits(directory: label); Issue.record("label 12 accepted") } catch {
      #expect("\(error)".contains("label 12"))
    }
  }

  /// With the real data (scripts/fetch_data; scripts/test fetches it): sizes, counts, ranges.
  @Test func digitsLoadWithTheirStratifiedSplit() throws {
    let d = try Datasets.digits()
    #expect(d.train.count == 1442 && d.test.count == 355)
    #expect(d.test.labelCounts.allSatisfy { (34...36).contains($0) })
    #expect(d.train.features.allSatisfy { (0...1).contains($0) })
    #expect(d.train.featureCount == 64)
  }
}
