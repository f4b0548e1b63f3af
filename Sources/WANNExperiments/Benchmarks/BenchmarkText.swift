import Foundation
import WANNCore

/// The text `wann bench` prints for each measurement as it finishes (without `--json`).
extension BenchProgress {
  public var lines: [String] {
    switch self {
    case .result(let r): [r.row]
    case .exactness(let r): r.lines
    case .original(let r): [r.line]
    case .gym(let r): [r.line]
    case .popgym(let r): [r.line]
    }
  }
}

/// "lo..hi" of a measurement repeated: the range the developers' guide asks a speed claim to show.
private func range(_ xs: [Double], _ f: (Double) -> String) -> String {
  guard let lo = xs.min(), let hi = xs.max() else { return "-" }
  return "\(f(lo))..\(f(hi))"
}

extension BenchResult {
  var row: String {
    let name = workload.count >= 22 ? workload : workload + String(repeating: " ", count: 22 - workload.count)
    var s =
      name
      + String(
        format: " threads %2d  %8.3f s  %12.0f steps/s  %9.0f rollouts/s", threads, seconds, stepsPerSecond,
        rolloutsPerSecond)
    if let g = secondsPerGeneration { s += String(format: "  %.3f s/generation", g) }
    if let o = laneOccupancy { s += String(format: "  lanes %.1f%% busy", 100 * o) }
    return s
  }
}

extension ExactnessResult {
  var lines: [String] {
    var out = [
      String(
        format: "exactness: %d arguments; square differs from pow on %d, sincos from sin/cos on %d (both must be 0)",
        arguments, mismatches, sinCosMismatches),
      String(
        format: "exactness: pow(x, 2) != x*x on %d (1 in %.0f); the shortcut called pow on %.2f%%",
        powDiffersFromProduct, Double(arguments) / Double(max(powDiffersFromProduct, 1)), 100 * slowPathFraction),
      String(
        format: "exactness: ns per square, 1 thread: x*x %.2f, exact shortcut %.2f, pow always %.2f",
        nsProduct, nsShortcut, nsPow),
      String(
        format: "exactness: lane sin and cos differ from glibc's on %ld of %ld values (must be 0)",
        laneTrigMismatches, laneTrigValues),
      String(
        format: "exactness: the lanes computed %.2f%% of them, %ld at 0.40 ulp or more from the nearest double",
        100 * laneTrigFromLanes, laneTrigNearThreshold),
      String(
        format: "exactness: ns per sin and cos, 1 thread: glibc sincos %.2f, lanes %.2f", nsSinCos, nsLaneSinCos),
    ]
    if let k = kernels {
      out.append(
        String(
          format:
            "kernels: %d arguments; worst error in ulp: exp %.3f (bound %.0f), tanh %.3f (%.0f), sin(pi x) %.3f (%.0f), cos(pi x) %.3f (%.0f)",
          k.arguments, k.expWorstUlp, KernelCheck.bounds.exp, k.tanhWorstUlp, KernelCheck.bounds.tanh,
          k.sinPiWorstUlp, KernelCheck.bounds.sinPi, k.cosPiWorstUlp, KernelCheck.bounds.cosPi))
    }
    return out
  }

  /// The one line that says why the workload failed, when it did.
  public var failure: String? {
    if mismatches > 0 || sinCosMismatches > 0 {
      return
        "the exact math disagrees with the C library: square vs pow on \(mismatches), sincos vs sin/cos on \(sinCosMismatches) of \(arguments) arguments"
    }
    if laneTrigMismatches > 0 {
      return "the lane sin and cos disagree with the C library on \(laneTrigMismatches) of \(laneTrigValues) values"
    }
    if kernels?.withinBounds == false {
      return "an activation kernel exceeds its error bound against the C library (see the kernels line)"
    }
    return nil
  }
}

extension OriginalComparison {
  var line: String {
    String(
      format: "original-semantics NumPy re-scoring: %@ steps/s; ours (1 thread): %@ steps/s; ratio per repetition %@",
      originalStepsPerSecond.map { String(format: "%.0f", $0) }.joined(separator: ", "),
      oursStepsPerSecond.map { String(format: "%.0f", $0) }.joined(separator: ", "),
      ratios.map { String(format: "%.0fx", $0) }.joined(separator: ", "))
  }
}

extension GymBenchResult {
  var line: String {
    "gym \(environment): plain loop \(range(plainLoopStepsPerSecond) { "\(Int($0))" }) steps/s, "
      + "wann 1 worker \(range(oneWorkerStepsPerSecond) { "\(Int($0))" }), 2 workers \(range(twoWorkersStepsPerSecond) { "\(Int($0))" }); "
      + "overhead \(range(overhead) { String(format: "%+.1f%%", $0 * 100) }), 2 workers \(range(twoWorkerSpeedup) { String(format: "%.2fx", $0) })"
  }
}

extension CardBenchResult {
  var line: String {
    "popgym \(game): native \(range(nativeStepsPerSecond) { "\(Int($0))" }) steps/s, package via gym: "
      + "\(range(packageStepsPerSecond) { "\(Int($0))" }); native/package \(range(ratios) { String(format: "%.0fx", $0) })"
  }
}
