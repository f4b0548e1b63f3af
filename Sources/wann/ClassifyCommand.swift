import ArgumentParser
import Foundation
import WANNAnalysis
import WANNArchive
import WANNCore
import WANNTasks

/// `wann classify --json`.
struct ClassifyReportJSON: Codable {
  var genome: String
  var task: String
  var connections: Int
  var testImages: Int
  var weights: [Double]
  var accuracy: [Double]
  var trainAccuracy: [Double]
  var testLoss: [Double]
  /// [weight][digit]
  var perDigit: [[Double]]
  var randomMean: Double
  var randomStd: Double
  var randomDraws: Int
  var ensembleWeights: [Double]
  var ensembleAccuracy: Double
  var ensemblePerDigit: [Double]
  var tunedWeight: Double
  var tunedAccuracy: Double
  var stored: String?

  enum CodingKeys: String, CodingKey {
    case genome, task, connections, weights, accuracy, stored
    case testImages = "test_images", trainAccuracy = "train_accuracy", testLoss = "test_loss", perDigit = "per_digit"
    case randomMean = "random_mean", randomStd = "random_std", randomDraws = "random_draws"
    case ensembleWeights = "ensemble_weights", ensembleAccuracy = "ensemble_accuracy", ensemblePerDigit =
      "ensemble_per_digit"
    case tunedWeight = "tuned_weight", tunedAccuracy = "tuned_accuracy"
  }
}

struct ClassifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Test accuracy of a digits/MNIST WANN: by weight, random weight, ensemble, tuned weight, per digit.",
    discussion: """
      Reports, on the task's test images:
        accuracy at every --weights value (and the training accuracy, which picks the tuned weight)
        random weight: mean +- std of the accuracy at --random-draws shared weights from U(-2, 2)
        ensemble: majority vote of the --ensemble weights' predictions (ties: highest summed probability)
        tuned weight: the --weights value with the best training accuracy, scored on the test set
        per digit: accuracy on each digit at each weight (scripts/plot_classify.py draws it)
      Stored under the genome (analysis/GENERATION-INDEX/classification/N) for archived genomes.
      The paper's MNIST numbers: random weight 82.0% +- 18.7%, ensemble 91.6%, tuned 91.9%.
      """)

  @Argument(help: "Genome: FILE.h5#champion, FILE.h5#GENERATION/INDEX, or a .json genome of a digits/mnist256 run.")
  var genome: String

  @Option(
    parsing: .unconditional,
    help: "Weights of the accuracy table and of the tuning grid (lo:hi:n or a comma list; default: -2:2:41).",
    transform: WeightList.parse)
  var weights: [Double] = WeightList.grid(-2, 2, 41)

  @Option(
    parsing: .unconditional,
    help: "Weights that vote in the ensemble (default: the six of the search, -2,-1,-0.5,0.5,1,2).",
    transform: WeightList.parse)
  var ensemble: [Double] = WeightList.searchWeights

  @Option(help: "Random shared weights for the random-weight row.")
  var randomDraws = 100

  @Option(help: "Seed of the random weights.")
  var seed: UInt64 = 1

  @Option(help: "Use only the first N test images (quick looks).")
  var limit: Int?

  @Option(help: "Task of a .json genome (archives know theirs).")
  var task: TaskKind?

  @OptionGroup var threads: ThreadOptions

  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(randomDraws, "random-draws", 2...100_000)
    try Limits.check(limit, "limit", 1...10_000_000)
  }

  func run() throws {
    try AnalysisTarget.refuseIfBeingWritten(genome)
    let target = try AnalysisTarget.resolve(genome, task: task)
    guard target.task.isClassification else {
      throw CLIError(
        "\(genome) is a \(target.task.rawValue) genome: wann classify scores digits or mnist256 networks (use wann evaluate or wann profile for control tasks)"
      )
    }
    guard let task = try Tasks.make(target.task) as? ClassificationTask else {
      throw CLIError("internal: \(target.task.rawValue) is not a classification task")
    }
    let settings = ClassificationReport.Settings(
      weights: weights, ensembleWeights: ensemble,
      randomDraws: randomDraws, seed: seed, testLimit: limit)
    let start = Date()
    let r = ClassificationReport.measure(try target.network(), task: task, settings: settings, threads: threads.count)
    let seconds = Date().timeIntervalSince(start)
    let stored = try target.withStore {
      try $0?.store(r, generation: target.generation, index: target.index, task: target.task)
    }
    let w = settings.weights
    let report = ClassifyReportJSON(
      genome: genome, task: target.task.rawValue, connections: target.genome.activeConnectionCount,
      testImages: r.testCount,
      weights: w, accuracy: r.accuracy, trainAccuracy: r.trainAccuracy, testLoss: r.testLoss,
      perDigit: w.indices.map { Array(r.perDigit[$0 * 10..<$0 * 10 + 10]) }, randomMean: r.randomMean,
      randomStd: r.randomStd,
      randomDraws: randomDraws, ensembleWeights: settings.ensembleWeights, ensembleAccuracy: r.ensembleAccuracy,
      ensemblePerDigit: r.ensemblePerDigit, tunedWeight: r.tunedWeight, tunedAccuracy: r.tunedTestAccuracy,
      stored: stored)
    if output.json {
      Output.line(Output.json(report))
      return
    }
    func pct(_ x: Double) -> String { Output.fixed(100 * x, 1) + "%" }
    Output.line(
      "# \(genome): \(report.connections) connections; task \(target.task.rawValue); \(r.testCount) test images; \(Output.fixed(seconds, 1)) s"
    )
    Output.line("random weight (\(randomDraws) draws from U(-2,2)): \(pct(r.randomMean)) +- \(pct(r.randomStd))")
    Output.line(
      "ensemble of weights \(settings.ensembleWeights.map { Output.fixed($0, 1) }.joined(separator: ",")): \(pct(r.ensembleAccuracy))"
    )
    Output.line(
      "tuned weight \(Output.fixed(r.tunedWeight, 2)) (best training accuracy \(pct(r.trainAccuracy[w.firstIndex(of: r.tunedWeight)!]))): \(pct(r.tunedTestAccuracy))"
    )
    Output.line(
      "#   weight  accuracy     train      loss   " + (0..<10).map { Output.pad("\($0)", 5) }.joined(separator: " "))
    for i in w.indices {
      let digits = (0..<10).map { Output.pad(Output.fixed(100 * r.perDigit[i * 10 + $0], 0), 5) }.joined(separator: " ")
      Output.line(
        Output.pad(Output.fixed(w[i], 3), 10) + Output.pad(pct(r.accuracy[i]), 10)
          + Output.pad(pct(r.trainAccuracy[i]), 10)
          + Output.pad(Output.fixed(r.testLoss[i], 3), 10) + "   " + digits)
    }
    if let stored, let path = target.archivePath {
      Output.line("# stored in \(path): \(stored)")
    } else {
      Output.line("# not stored: \(genome) is not in a run archive")
    }
  }
}
