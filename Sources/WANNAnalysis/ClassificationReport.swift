import WANNCore
import WANNTasks

/// Test accuracy of a classification WANN, the way the paper reports MNIST: accuracy at each
/// shared weight value, with random shared weights, as an ensemble of weights, at a tuned
/// weight, and per digit by weight (the paper's figure). The tuned weight is chosen on the
/// training images, never on the test images.
public struct ClassificationReport: Sendable {
  public struct Settings: Sendable, Equatable {
    /// Weights of the accuracy-by-weight table (and the tuning grid).
    public var weights: [Double]
    /// The weights that vote in the ensemble (the paper's series by default).
    public var ensembleWeights: [Double]
    /// Shared weights drawn from U(low, high) for the "random weight" row.
    public var randomDraws: Int
    public var low: Double
    public var high: Double
    public var seed: UInt64
    /// Test images used (nil: all).
    public var testLimit: Int?

    public init(
      weights: [Double] = (0...40).map { -2 + Double($0) / 10 }, ensembleWeights: [Double] = [-2, -1, -0.5, 0.5, 1, 2],
      randomDraws: Int = 100, low: Double = -2, high: Double = 2, seed: UInt64 = 1, testLimit: Int? = nil
    ) {
      self.weights = weights
      self.ensembleWeights = ensembleWeights
      self.randomDraws = randomDraws
      self.low = low
      self.high = high
      self.seed = seed
      self.testLimit = testLimit
    }
  }

  public let settings: Settings
  public let testCount: Int
  /// Test images of each digit.
  public let digitCounts: [Int]
  public let accuracy: [Double]
  public let testLoss: [Double]
  public let trainAccuracy: [Double]
  /// Accuracy on each digit at each weight, [weight][digit] row-major.
  public let perDigit: [Double]
  public let randomWeights: [Double]
  public let randomAccuracy: [Double]
  public let ensembleAccuracy: Double
  public let ensemblePerDigit: [Double]
  public let tunedWeight: Double
  public let tunedTestAccuracy: Double

  public var randomMean: Double { Statistics.mean(randomAccuracy) }
  public var randomStd: Double { Statistics.standardDeviation(randomAccuracy) }

  public init(
    settings: Settings, testCount: Int, digitCounts: [Int], accuracy: [Double], testLoss: [Double],
    trainAccuracy: [Double], perDigit: [Double], randomWeights: [Double], randomAccuracy: [Double],
    ensembleAccuracy: Double, ensemblePerDigit: [Double], tunedWeight: Double, tunedTestAccuracy: Double
  ) {
    self.settings = settings
    self.testCount = testCount
    self.digitCounts = digitCounts
    self.accuracy = accuracy
    self.testLoss = testLoss
    self.trainAccuracy = trainAccuracy
    self.perDigit = perDigit
    self.randomWeights = randomWeights
    self.randomAccuracy = randomAccuracy
    self.ensembleAccuracy = ensembleAccuracy
    self.ensemblePerDigit = ensemblePerDigit
    self.tunedWeight = tunedWeight
    self.tunedTestAccuracy = tunedTestAccuracy
  }

  public static func measure(_ network: Network, task: ClassificationTask, settings s: Settings, threads: Int)
    -> ClassificationReport
  {
    let test = s.testLimit.map { task.data.test.prefix($0) } ?? task.data.test
    let train = task.data.train
    let labels = test.labels
    func accuracy(_ p: [UInt8], _ y: [UInt8]) -> Double {
      Double(zip(p, y).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }) / Double(max(y.count, 1))
    }
    let counts = test.labelCounts
    func perDigit(_ p: [UInt8]) -> [Double] {
      var right = [Int](repeating: 0, count: 10)
      for (a, y) in zip(p, labels) where a == y { right[Int(y)] += 1 }
      return (0..<10).map { counts[$0] > 0 ? Double(right[$0]) / Double(counts[$0]) : .nan }
    }
    let grid = ClassificationTask.predict(
      network, on: test, weights: s.weights, keepProbabilities: false, threads: threads)
    let onTrain = ClassificationTask.predict(
      network, on: train, weights: s.weights, keepProbabilities: false, threads: threads)
    let trainAcc = onTrain.map { accuracy($0.labels, train.labels) }
    let bestIndex = trainAcc.indices.max { (trainAcc[$0], -$0) < (trainAcc[$1], -$1) }!
    var rng = RandomStream(seed: s.seed, purpose: .conditions, generation: 3)
    let randomW = (0..<s.randomDraws).map { _ in s.low + (s.high - s.low) * rng.uniform() }
    let random = ClassificationTask.predict(
      network, on: test, weights: randomW, keepProbabilities: false, threads: threads)
    let voters = ClassificationTask.predict(
      network, on: test, weights: s.ensembleWeights, keepProbabilities: true, threads: threads)
    // Majority vote; a tie goes to the tied digit with the highest summed probability.
    var ensemble = [UInt8](repeating: 0, count: test.count)
    for i in 0..<test.count {
      var votes = [Int](repeating: 0, count: 10)
      var mass = [Double](repeating: 0, count: 10)
      for v in voters {
        votes[Int(v.labels[i])] += 1
        for o in 0..<10 { mass[o] += Double(v.probabilities![i * 10 + o]) }
      }
      var best = 0
      for o in 1..<10 where (votes[o], mass[o]) > (votes[best], mass[best]) { best = o }
      ensemble[i] = UInt8(best)
    }
    let testAcc = grid.map { accuracy($0.labels, labels) }
    return ClassificationReport(
      settings: s, testCount: test.count, digitCounts: counts, accuracy: testAcc, testLoss: grid.map(\.meanLoss),
      trainAccuracy: trainAcc, perDigit: grid.flatMap { perDigit($0.labels) }, randomWeights: randomW,
      randomAccuracy: random.map { accuracy($0.labels, labels) }, ensembleAccuracy: accuracy(ensemble, labels),
      ensemblePerDigit: perDigit(ensemble), tunedWeight: s.weights[bestIndex], tunedTestAccuracy: testAcc[bestIndex])
  }
}
