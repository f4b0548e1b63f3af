import Foundation
import Synchronization
import WANNCore

/// Labelled images, features row-major (`count` x `featureCount`), values in [0, 1].
public struct LabeledImages: Sendable {
  public let features: [Double]
  public let labels: [UInt8]
  public let featureCount: Int
  public var count: Int { labels.count }

  public init(features: [Double], labels: [UInt8], featureCount: Int) {
    precondition(features.count == labels.count * featureCount, "features must be count x featureCount")
    self.features = features
    self.labels = labels
    self.featureCount = featureCount
  }

  /// The first `n` images (for quick tests and subsets).
  public func prefix(_ n: Int) -> LabeledImages {
    let n = min(n, count)
    return LabeledImages(
      features: Array(features[0..<n * featureCount]), labels: Array(labels[0..<n]), featureCount: featureCount)
  }

  /// How many images carry each label 0...9.
  public var labelCounts: [Int] {
    var c = [Int](repeating: 0, count: 10)
    for l in labels { c[Int(l)] += 1 }
    return c
  }
}

/// A classification dataset split into training images (what the search sees) and test images.
public struct ClassificationData: Sendable {
  public let train: LabeledImages
  public let test: LabeledImages
}

public enum DatasetError: Error, CustomStringConvertible, Equatable {
  case missing(dataset: String, looked: [String])
  case malformed(path: String, line: Int, why: String)
  case wrongSize(path: String, found: String, expected: String)

  public var description: String {
    switch self {
    case .missing(let d, let looked):
      "the \(d) dataset is not installed (looked for \(looked.joined(separator: ", "))): run `scripts/fetch_data \(d)` in the repository (it downloads it once into data/), or set WANN_DATA_DIR to a folder that holds it"
    case .malformed(let p, let line, let why):
      "\(p) line \(line): \(why); the file is damaged: delete it and run scripts/fetch_data again"
    case .wrongSize(let p, let found, let expected):
      "\(p) has \(found), expected \(expected); the file is truncated or not the expected dataset: delete it and run scripts/fetch_data again"
    }
  }
}

/// Finds, parses, checks and preprocesses the datasets (offline copies made by
/// `scripts/fetch_data`), once per process.
public enum Datasets {
  /// Folders searched for `digits/` and `mnist/`: $WANN_DATA_DIR alone when it is set; else
  /// ./data and the repository's data/ when wann runs from its build folder (.build/release/wann).
  public static func searchPath() -> [String] {
    if let env = ProcessInfo.processInfo.environment["WANN_DATA_DIR"], !env.isEmpty { return [env] }
    var dirs: [String] = []
    dirs.append(FileManager.default.currentDirectoryPath + "/data")
    let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    let repo = exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    dirs.append(repo.appendingPathComponent("data").path)
    var seen = Set<String>()
    return dirs.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
  }

  static func locate(_ relative: String, dataset: String, in directory: String?) throws(DatasetError) -> String {
    let dirs = directory.map { [$0] } ?? searchPath()
    let candidates = dirs.map { $0 + "/" + relative }
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw .missing(dataset: dataset, looked: candidates)
    }
    return found
  }

  private static let cache = Mutex<[String: ClassificationData]>([:])

  /// The dataset of a classification task (parsed and preprocessed once per process).
  public static func load(_ kind: TaskKind, directory: String? = nil) throws(DatasetError) -> ClassificationData {
    let key = "\(kind.rawValue)|\(directory ?? "")"
    if let hit = cache.withLock({ $0[key] }) { return hit }
    let data: ClassificationData
    switch kind {
    case .digits: data = try digits(directory: directory)
    case .mnist256: data = try mnist256(directory: directory)
    default: preconditionFailure("\(kind) has no dataset")
    }
    cache.withLock { $0[key] = data }
    return data
  }

  /// scikit-learn's 8x8 digits: 1797 images, pixels 0...16 scaled by 1/16 as the original does.
  /// There is no official test split: every fifth image of each digit (its 5th, 10th, ...) is
  /// the test set (355 images, 34 to 36 per digit), the rest (1442) the training set.
  public static func digits(directory: String? = nil) throws(DatasetError) -> ClassificationData {
    let path = try locate("digits/digits.csv", dataset: "digits", in: directory)
    let (values, labels) = try parseCSV(path, columns: 65, labelColumn: 64, expectedRows: 1797)
    var trainF: [Double] = [], testF: [Double] = [], trainL: [UInt8] = [], testL: [UInt8] = []
    var seen = [Int](repeating: 0, count: 10)
    for i in labels.indices {
      let row = values[i * 64..<(i + 1) * 64].map { Double($0) / 16 }
      let l = Int(labels[i])
      if seen[l] % 5 == 4 { testF += row; testL.append(labels[i]) } else { trainF += row; trainL.append(labels[i]) }
      seen[l] += 1
    }
    return ClassificationData(
      train: LabeledImages(features: trainF, labels: trainL, featureCount: 64),
      test: LabeledImages(features: testF, labels: testL, featureCount: 64))
  }

  /// MNIST (60000 training, 10000 test images), each resized to 16x16 and deskewed as the
  /// original release's `mnist_256` does (`MNISTPreprocessing`), pixels scaled by 1/255.
  public static func mnist256(directory: String? = nil) throws(DatasetError) -> ClassificationData {
    func part(_ name: String, rows: Int) throws(DatasetError) -> LabeledImages {
      let path = try locate("mnist/mnist_\(name).csv", dataset: "mnist", in: directory)
      let (values, labels) = try parseCSV(path, columns: 785, labelColumn: 0, expectedRows: rows)
      var features = [Double](repeating: 0, count: rows * 256)
      var image = [Double](repeating: 0, count: 784)
      for i in 0..<rows {
        for p in 0..<784 { image[p] = Double(values[i * 784 + p]) / 255 }
        let small = MNISTPreprocessing.resizeAndDeskew(image)
        for p in 0..<256 { features[i * 256 + p] = small[p] }
      }
      return LabeledImages(features: features, labels: labels, featureCount: 256)
    }
    return ClassificationData(train: try part("train", rows: 60000), test: try part("test", rows: 10000))
  }

  /// Parses a CSV of non-negative integers (an optional header line is skipped): returns every
  /// row's values except the label column, and the labels. Checks the shape and that labels are
  /// digits 0...9 and all ten occur.
  static func parseCSV(_ path: String, columns: Int, labelColumn: Int, expectedRows: Int) throws(DatasetError) -> (
    [UInt16], [UInt8]
  ) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .malformed(path: path, line: 0, why: "cannot be read")
    }
    var values: [UInt16] = []
    values.reserveCapacity(expectedRows * (columns - 1))
    var labels: [UInt8] = []
    labels.reserveCapacity(expectedRows)
    var line = 1
    var column = 0
    var current = 0
    var inNumber = false
    var skippingHeader = false
    var failure: DatasetError?
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let bytes = raw.bindMemory(to: UInt8.self)
      var i = 0
      // A header line starts with a letter.
      if let first = bytes.first, !(48...57).contains(first) { skippingHeader = true }
      func endField() -> Bool {
        guard inNumber else {
          failure = .malformed(path: path, line: line, why: "empty field in column \(column + 1)"); return false
        }
        if column == labelColumn {
          guard current <= 9 else {
            failure = .malformed(path: path, line: line, why: "label \(current) is not a digit 0-9"); return false
          }
          labels.append(UInt8(current))
        } else {
          guard current <= 65535 else {
            failure = .malformed(path: path, line: line, why: "value \(current) out of range"); return false
          }
          values.append(UInt16(current))
        }
        column += 1
        current = 0
        inNumber = false
        return true
      }
      while i < bytes.count {
        let c = bytes[i]
        i += 1
        if skippingHeader {
          if c == 10 { skippingHeader = false; line += 1 }
          continue
        }
        switch c {
        case 48...57:
          current = current * 10 + Int(c - 48)
          inNumber = true
          if current > 1_000_000 { failure = .malformed(path: path, line: line, why: "number too large"); return }
        case 44:
          if !endField() { return }
        case 10:
          if column == 0 && !inNumber { line += 1; continue }  // blank line
          if !endField() { return }
          guard column == columns else {
            failure = .malformed(path: path, line: line, why: "\(column) columns, expected \(columns)"); return
          }
          column = 0
          line += 1
        case 13: continue
        default:
          failure = .malformed(path: path, line: line, why: "unexpected character '\(Character(Unicode.Scalar(c)))'");
          return
        }
      }
      if failure == nil && (inNumber || column > 0) {
        if !endField() { return }
        if column != columns {
          failure = .malformed(path: path, line: line, why: "\(column) columns, expected \(columns)")
        }
      }
    }
    if let failure { throw failure }
    guard labels.count == expectedRows else {
      throw .wrongSize(path: path, found: "\(labels.count) images", expected: "\(expectedRows)")
    }
    var counts = [Int](repeating: 0, count: 10)
    for l in labels { counts[Int(l)] += 1 }
    if let missing = counts.firstIndex(of: 0) {
      throw .wrongSize(path: path, found: "no image of digit \(missing)", expected: "all ten digits")
    }
    return (values, labels)
  }
}

/// The original release's MNIST preprocessing (`preprocess` in its classify_gym.py), rewritten
/// from OpenCV's documented semantics: `cv2.resize(img, (16, 16))` (bilinear, pixel-centre
/// mapping, float32 coefficients), then `deskew`: the image moments give the skew
/// mu11 / mu02, and `cv2.warpAffine(..., WARP_INVERSE_MAP | INTER_LINEAR)` shears each row by
/// skew · (y - 8) with OpenCV's fixed-point coordinates (1/32-pixel interpolation steps) and a
/// zero border. Matching OpenCV's rounding keeps our inputs within 1e-6 of the original's
/// (checked against OpenCV in scripts/tests/test_classify.py).
public enum MNISTPreprocessing {
  public static func resizeAndDeskew(_ image28: [Double]) -> [Double] {
    deskew(resize(image28, from: 28, to: 16), size: 16)
  }

  /// Bilinear resize of a square image as cv2.resize(INTER_LINEAR) does it.
  public static func resize(_ src: [Double], from n: Int, to m: Int) -> [Double] {
    let scale = Double(n) / Double(m)
    var offset = [Int](repeating: 0, count: m)
    var alpha = [(Float, Float)](repeating: (1, 0), count: m)
    for d in 0..<m {
      var f = Float((Double(d) + 0.5) * scale - 0.5)
      var s = Int(f.rounded(.down))
      f -= Float(s)
      if s < 0 { f = 0; s = 0 }
      if s >= n - 1 { f = 0; s = n - 1 }
      offset[d] = s
      alpha[d] = (1 - f, f)
    }
    // Horizontal pass per source row, then vertical blend, as OpenCV's separable resize.
    var rows = [Double](repeating: 0, count: n * m)
    for y in 0..<n {
      for x in 0..<m {
        let s = offset[x]
        let right = s + 1 < n ? src[y * n + s + 1] : 0
        rows[y * m + x] = src[y * n + s] * Double(alpha[x].0) + right * Double(alpha[x].1)
      }
    }
    var out = [Double](repeating: 0, count: m * m)
    for y in 0..<m {
      let s = offset[y]
      let below = min(s + 1, n - 1)
      for x in 0..<m {
        out[y * m + x] = rows[s * m + x] * Double(alpha[y].0) + rows[below * m + x] * Double(alpha[y].1)
      }
    }
    return out
  }

  /// Deskews by image moments (returns the image unchanged when mu02 < 1e-2).
  public static func deskew(_ img: [Double], size n: Int) -> [Double] {
    var m00 = 0.0, m10 = 0.0, m01 = 0.0, m11 = 0.0, m02 = 0.0
    for y in 0..<n {
      for x in 0..<n {
        let v = img[y * n + x]
        m00 += v
        m10 += Double(x) * v
        m01 += Double(y) * v
        m11 += Double(x * y) * v
        m02 += Double(y * y) * v
      }
    }
    guard m00 != 0 else { return img }
    let cx = m10 / m00, cy = m01 / m00
    let mu11 = m11 - cx * m01
    let mu02 = m02 - cy * m01
    guard abs(mu02) >= 1e-2 else { return img }
    let skew = mu11 / mu02
    // The original builds the matrix as float32.
    let a01 = Double(Float(skew)), a02 = Double(Float(-0.5 * Double(n) * skew))
    var out = [Double](repeating: 0, count: n * n)
    for y in 0..<n {
      // OpenCV: X = (round((a01·y + a02)·1024) + 16 + x·1024) >> 5; pixel X >> 5, weight (X & 31)/32.
      let rowBase = Int(((a01 * Double(y) + a02) * 1024).rounded(.toNearestOrEven)) + 16
      for x in 0..<n {
        let X = (rowBase + x * 1024) >> 5
        let sx = X >> 5
        let fx = Float(X & 31) / 32
        let w0 = Double(1 - fx), w1 = Double(fx)
        let v0 = sx >= 0 && sx < n ? img[y * n + sx] : 0
        let v1 = sx + 1 >= 0 && sx + 1 < n ? img[y * n + sx + 1] : 0
        out[y * n + x] = v0 * w0 + v1 * w1
      }
    }
    return out
  }
}
