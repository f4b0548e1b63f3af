import Foundation
import Testing
import WANNTasks

/// The lane environment's sin and cos (lane_trig.h) keep a value only where glibc's documented
/// error bound forces glibc to return it, and ask glibc elsewhere: every value must be glibc's,
/// bit for bit, and most must come from the lanes (or the vector path would be dead weight).
@Suite struct LaneTrigTests {
  @Test func laneSinAndCosAreGlibcsBitForBit() {
    let check = LaneTrigCheck.run(0..<400_000, seed: 11)
    #expect(check.values == 1_200_000)
    #expect(check.mismatches == 0, "first at \(check.firstMismatch ?? .nan)")
    let share = Double(check.fromLanes) / Double(check.values)
    #expect(share > 0.5 && share < 0.95, "the lanes computed \(share) of the values")
    #expect(check.nearThreshold > 1_000, "values kept within 0.05 ulp of the threshold are tested")
  }

  /// Where the lanes must hand over (outside their domain, zeros, non-finite values) or sit on an
  /// edge (multiples of pi/2 and pi/4 as doubles, the domain's limit), glibc's bits still come out.
  @Test func edgesAndSpecialValuesAreGlibcs() {
    var arguments: [Double] = [
      0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 0x1p-31, 0x1p-30,
      -0x1p-29, 1e-9, 0x1p21, -0x1p21, 0x1p21.nextUp, 0x1p21.nextDown, 1e300, -.greatestFiniteMagnitude,
      .infinity, -.infinity, .nan, 1, -1, 3, 100,
    ]
    for k in -64...64 {
      let multiple = Double(k) * (Double.pi / 4)
      arguments += [multiple, multiple.nextUp, multiple.nextDown]
    }
    let check = LaneTrigCheck.run(arguments: arguments)
    #expect(check.values == 3 * arguments.count)
    #expect(check.mismatches == 0, "first at \(check.firstMismatch ?? .nan)")
    #expect(check.fromLanes > 0)
  }
}
