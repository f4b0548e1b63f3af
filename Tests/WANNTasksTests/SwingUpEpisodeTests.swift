import Foundation
import Testing
import WANNCore
@testable import WANNTasks

/// Replays the 268 reference episodes of Tests/Fixtures/swingup-episodes.bin (written by
/// scripts/make_swingup_episodes.py from the original's Python semantics: `x**2` as glibc's pow,
/// NumPy's legacy generator for initial states) and demands every step bit for bit.
@Suite struct SwingUpEpisodeTests {
  struct Episode {
    var kind: UInt8
    var initial: [Double]
    var actions: [Double]
    var digests: [UInt32]
  }

  /// Reads the fixture's little-endian format (documented in scripts/make_swingup_episodes.py).
  static func episodes() throws -> [Episode] {
    let data = try Data(contentsOf: Reference.fixtures.appendingPathComponent("swingup-episodes.bin"))
    var offset = 0
    func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
      guard offset + MemoryLayout<T>.size <= data.count else { throw CocoaError(.fileReadCorruptFile) }
      var v: T = 0
      for k in 0..<MemoryLayout<T>.size { v |= T(data[data.startIndex + offset + k]) << (8 * k) }
      offset += MemoryLayout<T>.size
      return v
    }
    func double() throws -> Double { Double(bitPattern: try read(UInt64.self)) }
    guard data.prefix(8) == Data("WANNSWEP".utf8) else { throw CocoaError(.fileReadCorruptFile) }
    offset = 8
    #expect(try read(UInt32.self) == 1)
    let count = Int(try read(UInt32.self))
    var episodes: [Episode] = []
    for _ in 0..<count {
      let kind = try read(UInt8.self)
      let steps = Int(try read(UInt32.self))
      let initial = try (0..<4).map { _ in try double() }
      let actions = try (0..<steps).map { _ in try double() }
      let digests = try (0..<steps).map { _ in try read(UInt32.self) }
      episodes.append(Episode(kind: kind, initial: initial, actions: actions, digests: digests))
    }
    #expect(offset == data.count)
    return episodes
  }

  /// The fixture's per-step digest of the observation, reward and done flag.
  static func digest(_ env: CartPoleSwingUp, reward: Double, done: Bool) -> UInt32 {
    var h: UInt64 = 0
    for v in (0..<5).map({ env.observation($0).bitPattern }) + [reward.bitPattern, done ? 1 : 0] {
      h = (h ^ v) &* 0x100_0000_01B3
    }
    return UInt32(truncatingIfNeeded: h ^ (h >> 32))
  }

  /// Replays every episode with the squares of `S`; returns the number of episodes that diverge
  /// and the number of steps from each divergence to the episode's end.
  static func replay<S: SquareRule>(_ episodes: [Episode], squaring: S.Type) -> (
    episodes: Int, steps: Int, firstFailure: String?
  ) {
    var diverged = 0, steps = 0
    var first: String?
    for (e, episode) in episodes.enumerated() {
      var env = CartPoleSwingUp(
        x: episode.initial[0], xDot: episode.initial[1],
        theta: episode.initial[2], thetaDot: episode.initial[3])
      for (t, action) in episode.actions.enumerated() {
        let (reward, done) = env.step(action, squaring: S.self)
        if digest(env, reward: reward, done: done) != episode.digests[t] {
          diverged += 1
          steps += episode.actions.count - t
          if first == nil {
            first =
              "episode \(e) (kind \(episode.kind)) step \(t): observation \(env.observation), reward \(reward), done \(done)"
          }
          break
        }
      }
    }
    return (diverged, steps, first)
  }

  @Test func replaysEveryReferenceEpisodeBitForBit() throws {
    let episodes = try Self.episodes()
    let steps = episodes.reduce(0) { $0 + $1.actions.count }
    #expect(episodes.count >= 200)
    #expect(steps >= 150_000)
    #expect(Set(episodes.map(\.kind)) == [0, 1, 2, 3, 4], "random actions inside and outside [-1, 1], two champions")
    let result = Self.replay(episodes, squaring: PowSquare.self)
    #expect(result.episodes == 0, "\(result.firstFailure ?? "")")
  }

  /// The fixture is sharp enough to tell the original's pow from a plain product.
  @Test func plainProductSquaresFailTheReferenceEpisodes() throws {
    let episodes = try Self.episodes()
    let result = Self.replay(episodes, squaring: ProductSquare.self)
    #expect(result.episodes > 0)
    print(
      "x * x instead of pow: \(result.episodes) of \(episodes.count) episodes diverge, \(result.steps) steps from the first difference on"
    )
  }

  @Test func squareShortcutEqualsLibraryPow() {
    let check = SquareCheck.run(0..<400_000, seed: 7)
    #expect(check.mismatches == 0, "first at \(check.firstMismatch ?? .nan)")
    #expect(check.sinCosMismatches == 0)
    #expect(check.powDiffersFromProduct > 100, "pow differs from x*x in about 1 argument of 1,200")
    for x in [
      0.0, -0.0, 1.0, -1.0, 2.0, 0x1p-70, 0x1p70, .infinity, -.infinity, .leastNonzeroMagnitude,
      .greatestFiniteMagnitude,
    ] {
      #expect(PowSquare.square(x).bitPattern == PowSquare.libraryPow(x).bitPattern, "\(x)")
    }
    #expect(PowSquare.square(.nan).isNaN)
  }
}
