import ArgumentParser
import Foundation
import WANNCore
import WANNTasks

/// `wann data --json`.
struct DataReport: Codable {
  var task: String
  var split: String
  var images: Int
  var features: Int
  var labelCounts: [Int]
  /// The first --dump images' features (after preprocessing) and labels.
  var dumped: [[Double]]?
  var labels: [Int]?

  enum CodingKeys: String, CodingKey {
    case task, split, images, features, dumped, labels
    case labelCounts = "label_counts"
  }
}

struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Check a classification dataset: sizes and images per digit (and dump preprocessed images).",
    discussion: """
      Loads the task's dataset the way searches do (digits: pixels / 16; mnist256: 28x28 -> 16x16 \
      bilinear, deskewed by moments, pixels / 255), checks it, and prints its size and label counts. \
      Datasets come from `scripts/fetch_data` (into data/, or the folder $WANN_DATA_DIR names).
      """)

  @Argument(help: "digits or mnist256.")
  var task: TaskKind

  @Option(help: "train or test.")
  var split = DataSplit.train

  @Option(help: "Print the first N preprocessed images (with --json).")
  var dump = 0

  @OptionGroup var output: JSONOption

  func validate() throws {
    try Limits.check(dump, "dump", 0...100_000)
  }

  func run() throws {
    guard task.isClassification else {
      throw CLIError("\(task.rawValue) is not a classification task: wann data knows digits and mnist256")
    }
    let data = try Datasets.load(task)
    let set = split == .train ? data.train : data.test
    var report = DataReport(
      task: task.rawValue, split: split.rawValue, images: set.count, features: set.featureCount,
      labelCounts: set.labelCounts)
    if dump > 0 {
      let n = min(dump, set.count)
      report.dumped = (0..<n).map { Array(set.features[$0 * set.featureCount..<($0 + 1) * set.featureCount]) }
      report.labels = (0..<n).map { Int(set.labels[$0]) }
    }
    if output.json {
      Output.line(Output.json(report))
      return
    }
    Output.line(
      "\(task.rawValue) \(split.rawValue): \(set.count) images of \(set.featureCount) pixels; per digit \(set.labelCounts.map(String.init).joined(separator: " "))"
    )
  }
}

/// Which part of a dataset `wann data` shows.
enum DataSplit: String, CaseIterable, ExpressibleByArgument {
  case train, test
}
