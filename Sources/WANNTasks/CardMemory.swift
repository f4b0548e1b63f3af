import WANNCore

/// POPGym's card games (Morad et al., ICLR 2023), ported natively: RepeatPrevious, RepeatFirst,
/// CountRecall, HigherLower and Autoencode at the package's three difficulties (docs/popgym.md).
///
/// Each game deals a shuffled deck (two in CountRecall) one card per step and asks about cards
/// seen before; only the deck order is random. Given the same deck order and actions, every
/// observation, reward and end flag equals the package's (popgym 1.0.7) bit for bit: the
/// fixture Tests/Fixtures/popgym-cards.txt holds episodes recorded through the package, and
/// `CardMemoryTests` replays them. A native episode draws its deck order from the rollout's keyed
/// stream (a uniform shuffle, as the package's `rng.shuffle`): the same distribution, not the same
/// generator.
public struct CardGame: Sendable, Hashable {
  public enum Kind: String, Sendable, CaseIterable {
    /// Output the suit of the card dealt k steps ago.
    case repeatPrevious = "repeat-previous"
    /// Output the suit of the first card dealt.
    case repeatFirst = "repeat-first"
    /// Each step shows a dealt card and a queried card (colour, suit or rank); output how many
    /// cards of the previous step's queried class were dealt before now.
    case countRecall = "count-recall"
    /// Each step shows the dealt card's rank; guess whether the next is higher (output 0) or
    /// lower (output 1); a tie pays 0.
    case higherLower = "higher-lower"
    /// Watch the deck's suits dealt one by one, then (when the observation's mode input turns to
    /// play) output them in reverse order.
    case autoencode
  }
  public enum Difficulty: String, Sendable, CaseIterable { case easy, medium, hard }

  public let kind: Kind
  public let difficulty: Difficulty
  /// Decks shuffled together: the episode has 52 x decks - 1 steps.
  public let decks: Int
  /// RepeatPrevious: how many steps back.
  public let k: Int
  /// CountRecall: the classes counted (2 colours, 4 suits, 13 ranks); the others: 4 suits.
  public let classes: Int

  public init(_ kind: Kind, _ difficulty: Difficulty) {
    self.kind = kind
    self.difficulty = difficulty
    let level = Difficulty.allCases.firstIndex(of: difficulty)!
    switch kind {
    case .repeatPrevious:
      (decks, k, classes) = [(1, 4, 4), (2, 32, 4), (3, 64, 4)][level]
    case .repeatFirst:
      (decks, k, classes) = [(1, 0, 4), (8, 0, 4), (16, 0, 4)][level]
    case .countRecall:
      (decks, k, classes) = [(1, 0, 2), (2, 0, 4), (4, 0, 13)][level]
    case .higherLower:
      (decks, k, classes) = [(1, 0, 13), (2, 0, 13), (3, 0, 13)][level]
    case .autoencode:
      (decks, k, classes) = [(1, 0, 4), (2, 0, 4), (3, 0, 4)][level]
    }
  }

  /// Every game at every difficulty.
  public static let all: [CardGame] = Kind.allCases.flatMap { k in Difficulty.allCases.map { CardGame(k, $0) } }

  /// The task's name: `popgym-repeat-previous-easy`, ...
  public var taskName: String { "popgym-\(kind.rawValue)-\(difficulty.rawValue)" }
  /// The package's id of the same environment.
  public var packageID: String {
    let name = [
      "repeat-previous": "RepeatPrevious", "repeat-first": "RepeatFirst", "count-recall": "CountRecall",
      "higher-lower": "HigherLower", "autoencode": "Autoencode",
    ][kind.rawValue]!
    return "popgym-\(name)\(difficulty.rawValue.prefix(1).uppercased() + difficulty.rawValue.dropFirst())-v0"
  }

  public var cards: Int { 52 * decks }
  /// Steps per episode (every episode has this many).
  public var length: Int { kind == .autoencode ? 2 * cards - 1 : cards - 1 }
  /// One-hot inputs: the dealt card's class (CountRecall: then the queried class; Autoencode:
  /// first the mode, play or watch).
  public var observationSize: Int {
    switch kind {
    case .countRecall: 2 * classes
    case .autoencode: 2 + 4
    default: classes
    }
  }
  /// Outputs: one per suit, one per possible count (0 ... cards / classes), or higher and lower.
  public var actionCount: Int {
    switch kind {
    case .countRecall: cards / classes + 1
    case .higherLower: 2
    default: 4
    }
  }
  /// The reward of a right answer (a wrong one: its negative), as the package computes it.
  public var rewardScale: Double {
    switch kind {
    case .repeatPrevious: 1 / Double(cards - k)
    case .higherLower, .autoencode: 1 / Double(cards)
    default: 1 / Double(cards - 1)
    }
  }

  /// A card's class, as the package's deck tables give it: card c of the ordered decks has suit
  /// c mod 4, colour c mod 2 and rank (c mod 52) / 4.
  @inline(__always) func classOf(_ card: Int32) -> Int32 {
    switch classes {
    case 2: card & 1
    case 13: (card % 52) / 4
    default: card & 3
    }
  }

  public var inputLabels: [String] {
    let suits = ["spades", "diamonds", "clubs", "hearts"]
    if kind == .autoencode { return ["mode play", "mode watch"] + suits.map { "dealt \($0)" } }
    if kind == .higherLower {
      return ["a", "2", "3", "4", "5", "6", "7", "8", "9", "10", "j", "q", "k"].map { "dealt \($0)" }
    }
    guard kind == .countRecall else { return suits.map { "dealt \($0)" } }
    let names: [String] =
      switch classes {
      case 2: ["black", "red"]
      case 4: suits
      default: ["a", "2", "3", "4", "5", "6", "7", "8", "9", "10", "j", "q", "k"]
      }
    return names.map { "dealt \($0)" } + names.map { "query \($0)" }
  }
  public var outputLabels: [String] {
    switch kind {
    case .countRecall: (0..<actionCount).map { "count \($0)" }
    case .higherLower: ["higher", "lower"]
    default: ["spades", "diamonds", "clubs", "hearts"].map { "answer \($0)" }
    }
  }
}

/// One episode of a card game: the classes of the cards in the order they are dealt, and where
/// the episode stands. Its arrays are sized once per game and refilled per episode.
public struct CardEpisode: Sendable {
  public let game: CardGame
  /// Class of the i-th card dealt (the dealt card's, and in CountRecall the queried card's).
  var dealt: [Int32]
  var queried: [Int32]
  /// CountRecall: cards of each class dealt so far.
  var counts: [Int32]
  /// Cards dealt so far (the reset deals the first).
  public private(set) var t = 1
  private var order: [Int32]
  private let scale: Double
  private let k: Int
  private let last: Int

  public init(_ game: CardGame) {
    self.game = game
    dealt = [Int32](repeating: 0, count: game.cards)
    queried = [Int32](repeating: 0, count: game.kind == .countRecall ? game.cards : 0)
    counts = [Int32](repeating: 0, count: game.classes)
    order = (0..<Int32(game.cards)).map { $0 }
    scale = game.rewardScale
    k = game.k
    last = game.length
  }

  /// A new episode, its decks shuffled with `rng` (uniformly: Fisher-Yates).
  public mutating func start(using rng: inout RandomStream) {
    shuffleOrder(&rng)
    fill(&dealt, from: order)
    if game.kind == .countRecall {
      shuffleOrder(&rng)
      fill(&queried, from: order)
    }
    begin()
  }

  /// A new episode with the package's deck orders (`Deck.idx` after its reset; the package
  /// deals from the end of it).
  public mutating func start(deck: [Int32], queryDeck: [Int32]? = nil) {
    precondition(deck.count == game.cards && (game.kind != .countRecall || queryDeck?.count == game.cards))
    fill(&dealt, from: deck)
    if let queryDeck { fill(&queried, from: queryDeck) }
    begin()
  }

  private mutating func shuffleOrder(_ rng: inout RandomStream) {
    for i in 0..<order.count { order[i] = Int32(i) }
    var i = order.count - 1
    while i > 0 {
      order.swapAt(i, rng.uniformInt(below: i + 1))
      i -= 1
    }
  }

  private func fill(_ out: inout [Int32], from deck: [Int32]) {
    let n = deck.count
    for i in 0..<n { out[i] = game.classOf(deck[n - 1 - i]) }
  }

  private mutating func begin() {
    t = 1
    for c in 0..<counts.count { counts[c] = 0 }
    if game.kind == .countRecall { counts[Int(dealt[0])] = 1 }
  }

  /// The hot inputs of the current observation: the last dealt card's class and CountRecall's
  /// query (else -1); Autoencode: the mode (0 play, 1 watch), then 2 + the shown suit.
  @inline(__always) public var hotInputs: (first: Int, second: Int) {
    switch game.kind {
    case .countRecall: return (Int(dealt[t - 1]), game.classes + Int(queried[t - 1]))
    case .autoencode:
      // After step s (s = t - 1): watching shows the card dealt (the mode turns to play with
      // the last card); playing shows mode 0 and the suit of card 0, which is suit 0.
      let s = t - 1
      if s >= game.cards { return (0, 2) }
      return (s == game.cards - 1 ? 0 : 1, 2 + Int(dealt[s]))
    default: return (Int(dealt[t - 1]), -1)
    }
  }

  /// Input `i` (one-hot) of the current observation.
  @inline(__always) public func observation(_ i: Int) -> Double {
    let (a, b) = hotInputs
    return i == a || i == b ? 1 : 0
  }

  /// The answer the episode expects now (the reward is +scale for it, -scale otherwise; nil:
  /// RepeatPrevious's first k - 1 steps, which pay 0).
  @inline(__always) public func expectedAnswer() -> Int32? {
    switch game.kind {
    case .repeatPrevious: return t >= k ? dealt[t - k] : nil
    case .repeatFirst: return dealt[0]
    case .countRecall: return counts[Int(queried[t - 1])]
    case .higherLower:
      // 0: the next card is higher; 1: lower; a tie pays nothing.
      let now = dealt[t - 1], next = dealt[t]
      return next == now ? nil : (next > now ? 0 : 1)
    case .autoencode:
      // Steps 1 ... cards - 1 watch; then step s recites card 2 x cards - 1 - s.
      return t < game.cards ? nil : dealt[2 * game.cards - 1 - t]
    }
  }

  /// Answers `action`, deals the next card; returns the reward and whether the episode ended.
  public mutating func step(_ action: Int) -> (reward: Double, done: Bool) {
    let reward: Double = if let want = expectedAnswer() { Int(want) == action ? scale : -scale } else { 0 }
    let done = t == last
    if game.kind == .countRecall { counts[Int(dealt[t])] += 1 }
    t += 1
    return (reward, done)
  }
}

/// A card game as a WANN task: one-hot inputs, the largest output is the answer (ties: the
/// lowest index; NaN never wins), as `gym:` tasks choose a Discrete action.
public struct CardMemoryTask: WANNTask {
  public let game: CardGame
  public init(_ game: CardGame) { self.game = game }

  public var kind: TaskKind { TaskKind(rawValue: game.taskName)! }
  public var inputLabels: [String] { game.inputLabels }
  public var outputLabels: [String] { game.outputLabels }
  public var hiddenActivations: [Activation] { Activation.originalControlSet }

  public func rollout(_ evaluator: inout NetworkEvaluator, weight: Double, rng: inout RandomStream) -> RolloutResult {
    var episode = CardEpisode(game)
    episode.start(using: &rng)
    evaluator.resetState()
    var total = 0.0
    while true {
      for i in 0..<game.observationSize { evaluator.setInput(i, episode.observation(i)) }
      evaluator.forward(weight: weight)
      var best = 0
      var bestValue = -Double.infinity
      for o in 0..<game.actionCount where evaluator.output(o) > bestValue {
        best = o
        bestValue = evaluator.output(o)
      }
      let (reward, done) = episode.step(best)
      total += reward
      if done { return RolloutResult(reward: total, steps: game.length) }
    }
  }

  public func rollouts(_ evaluator: inout NetworkEvaluator, plans: ArraySlice<RolloutPlan>, episodes: EpisodeKey)
    -> [RolloutResult]
  {
    var lanes = CardMemoryLanes(game)
    return LaneRollouts.run(&lanes, &evaluator, plans: plans, episodes: episodes)
  }
}

/// Eight card-game episodes stepping together. The answer (the largest output) is found for all
/// lanes at once in vector arithmetic; the one-hot inputs are written as whole lanes.
public struct CardMemoryLanes: LaneEnvironment {
  var episodes: [CardEpisode]
  let game: CardGame
  /// The inputs' lanes, all zero between steps (only the hot entries are set, then cleared).
  var inputs: [Lanes]

  public init(_ game: CardGame) {
    self.game = game
    episodes = [CardEpisode](repeating: CardEpisode(game), count: Lanes.scalarCount)
    inputs = [Lanes](repeating: Lanes(), count: game.observationSize)
  }

  public mutating func start(lane: Int, rng: inout RandomStream) { episodes[lane].start(using: &rng) }

  public mutating func observe(into evaluator: inout NetworkEvaluator, active: LaneMask) {
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let (first, second) = episodes[lane].hotInputs
      inputs[first][lane] = 1
      if second >= 0 { inputs[second][lane] = 1 }
    }
    for i in 0..<inputs.count {
      evaluator.setInput(i, inputs[i])
      inputs[i] = Lanes()
    }
  }

  public mutating func step(_ evaluator: borrowing NetworkEvaluator, active: LaneMask) -> (
    reward: Lanes, done: LaneMask
  ) {
    // Ties go to the lowest index and NaN never wins: only a strictly larger output replaces.
    var best = Lanes(repeating: -.infinity)
    var answer = LaneBits()
    for o in 0..<game.actionCount {
      let v = evaluator.outputLanes(o)
      let larger = v .> best
      best.replace(with: v, where: larger)
      answer.replace(with: Int64(o), where: larger)
    }
    var reward = Lanes()
    var done = LaneMask(repeating: false)
    for lane in 0..<Lanes.scalarCount where active[lane] {
      let r = episodes[lane].step(Int(answer[lane]))
      reward[lane] = r.reward
      done[lane] = r.done
    }
    return (reward, done)
  }
}
