import CLanes

/// Per-thread scratch for evaluating networks without allocating: the program of the loaded
/// network and the value slots live in buffers that only grow. A non-copyable struct, so it
/// owns its buffers (freed in deinit) and is never shared between threads.
///
/// Every value slot holds eight lanes: eight rollouts of the loaded network step together, each
/// lane with its own shared weight (or its own connection weights) and its own recurrent state,
/// in the CLanes kernels. The scalar calls (`setInput(_:_:)` with a `Double`,
/// `forward(weight:)`, `output(_:)`) write every lane and read lane 0, so a single rollout is the
/// same arithmetic as a lane of many.
public struct NetworkEvaluator: ~Copyable {
  public static let laneCount = Int(WANN_LANES)
  /// Lanes `forwardNarrow()` computes: the first ones of every slot (half the instructions of a
  /// full step on a 256-bit core), for the end of a round of rollouts when few lanes still play.
  public static let narrowLaneCount = Int(WANN_NARROW_LANES)

  /// Activation ids (the C kernels' switch), sources and recurrent lists of the loaded network.
  /// Every buffer below is a `GrowableBuffer` (or a `LaneBuffer` over one): freed in deinit.
  private var activationIDs = GrowableBuffer<Int32>()
  private var sourceStart = GrowableBuffer<Int32>(capacity: 2)
  private var sources = GrowableBuffer<Int32>()
  @usableFromInline var outputs = GrowableBuffer<Int32>()
  private var recurrentStart = GrowableBuffer<Int32>(capacity: 2)
  private var recurrentSources = GrowableBuffer<Int32>()
  /// Previous-step value of each recurrent connection's source (8 lanes each).
  private var previous = LaneBuffer(slots: 1)
  public private(set) var recurrentCount = 0
  /// Individual connection weights (feed-forward sources in order, then recurrent ones; 8 lanes
  /// each), used instead of the shared weights after `setConnectionWeights`.
  private var connectionWeights = LaneBuffer(slots: 1)
  public private(set) var usesConnectionWeights = false
  private var feedForwardConnectionCount = 0
  /// The shared weight of each lane (`forward()`).
  private var weights = LaneBuffer(slots: 1)
  /// Value slots (8 lanes each): [0] = bias (1), [1...inputCount] = the observation.
  @usableFromInline var values = LaneBuffer(slots: 1)
  public private(set) var inputCount = 0
  public private(set) var evaluatedCount = 0
  public private(set) var outputCount = 0
  /// The loaded program as the C kernels read it (pointers into the buffers above).
  private var program = wann_program()
  /// Batch mode (classification): one row of `batchStride` values per input, then per output.
  private var batch = GrowableBuffer<Double>()
  public private(set) var batchSize = 0
  private var batchStride = 0
  /// Shared weights the batch has output rows for (`prepareBatch`).
  private var batchWeightCount = 0
  /// Inputs that some enabled connection reads (so a batch needs only these rows filled).
  private var usedInputs = GrowableBuffer<Int32>()
  public private(set) var usedInputCount = 0
  /// Passes of the network `LaneRollouts` made with this evaluator, and the lane-steps they
  /// computed (eight for a full pass, busy or idle, `narrowLaneCount` for a narrow one). With the
  /// environment steps they made, they say how full the lanes were (`LaneUsage`, `wann bench`);
  /// counting changes no result.
  public var lanePasses = 0
  public var computedLaneSteps = 0

  public init() {
    weights.fill(slot: 0, with: 1)
  }

  deinit {
    for buffer in [activationIDs, sourceStart, sources, outputs, recurrentStart, recurrentSources, usedInputs] {
      buffer.deallocate()
    }
    for buffer in [values, weights, previous, connectionWeights] { buffer.deallocate() }
    batch.deallocate()
  }

  /// Copies `network`'s program into this evaluator's buffers (allocating only to grow).
  public mutating func load(_ network: Network) {
    values.reserve(slots: network.slotCount)
    if network.isRecurrent {
      recurrentStart.load(network.recurrentStart)
      recurrentSources.load(network.recurrentSources)
    }
    recurrentCount = network.recurrentSources.count
    previous.reserve(slots: recurrentCount)
    previous.zero(slots: recurrentCount)
    feedForwardConnectionCount = network.sources.count
    connectionWeights.reserve(slots: network.sources.count + recurrentCount)
    usesConnectionWeights = false
    activationIDs.reserve(network.activations.count)
    for (k, a) in network.activations.enumerated() { activationIDs[k] = a.rawValue }
    sourceStart.load(network.sourceStart)
    sources.load(network.sources)
    outputs.load(network.outputSlots)
    inputCount = network.inputCount
    evaluatedCount = network.evaluatedCount
    outputCount = network.outputCount
    usedInputs.reserve(inputCount)
    // Inputs read by some connection, in input order.
    var read = [Bool](repeating: false, count: inputCount + 1)
    for s in network.sources where s >= 1 && Int(s) <= inputCount { read[Int(s)] = true }
    for s in network.recurrentSources where s >= 1 && Int(s) <= inputCount { read[Int(s)] = true }
    usedInputCount = 0
    for i in 0..<inputCount where read[1 + i] {
      usedInputs[usedInputCount] = Int32(i)
      usedInputCount += 1
    }
    values.zero(slots: network.slotCount)
    values.fill(slot: 0, with: 1)
    program = wann_program(
      activations: activationIDs.base, sourceStart: sourceStart.base, sources: sources.base,
      recurrentStart: recurrentStart.base, recurrentSources: recurrentSources.base,
      evaluatedCount: Int32(evaluatedCount), firstEvaluated: Int32(inputCount + 1),
      recurrentCount: Int32(recurrentCount), feedForwardConnectionCount: Int32(feedForwardConnectionCount))
  }

  /// Input `n` of the inputs some connection reads, in input order (`n < usedInputCount`).
  @inline(__always)
  public func usedInput(_ n: Int) -> Int { Int(usedInputs[n]) }

  /// Starts a new episode in every lane: every node's previous value is zero again.
  @inline(__always)
  public func resetState() {
    values.zero(slots: evaluatedCount, from: inputCount &+ 1)
    previous.zero(slots: recurrentCount)
  }

  /// Starts a new episode in one lane (the others keep their state).
  @inline(__always)
  public func resetState(lane: Int) {
    var k = inputCount &+ 1
    let end = inputCount &+ 1 &+ evaluatedCount
    while k < end {
      values[k, lane] = 0
      k &+= 1
    }
    for r in 0..<recurrentCount { previous[r, lane] = 0 }
  }

  // MARK: Batch mode

  /// Prepares to evaluate the loaded network on `size` samples at once, at `weightCount` shared
  /// weights (growing the buffer only when needed); fill the input rows with `batchInputs(_:)`.
  public mutating func prepareBatch(size: Int, weightCount: Int = 1) {
    let stride = (size + Self.laneCount - 1) / Self.laneCount * Self.laneCount
    let rows = inputCount + outputCount * weightCount
    batch.reserve(rows * stride)
    batchSize = size
    batchStride = stride
    batchWeightCount = weightCount
  }

  /// The row of input `i` over the batch (write sample b's value at index b).
  @inline(__always)
  public func batchInputs(_ i: Int) -> UnsafeMutablePointer<Double> { batch.base + i &* batchStride }

  /// The row of output `o` over the batch at the `weightIndex`-th weight, after `forwardBatch`.
  @inline(__always)
  public func batchOutputs(_ o: Int, weightIndex: Int = 0) -> UnsafePointer<Double> {
    UnsafePointer(batch.base + (inputCount &+ weightIndex &* outputCount &+ o) &* batchStride)
  }

  /// Evaluates every sample of the batch: eight samples at a time go through the network in
  /// lanes, so each node's value stays in the lane slots (in cache) instead of being written and
  /// re-read as a row of the whole batch. One step from a zero state: recurrent connections
  /// deliver the previous step's values, which are all 0, so a batch ignores them
  /// (classification is a single step per sample). Individual connection weights apply if set.
  public mutating func forwardBatch(weight: Double) {
    forwardBatch(weights: [weight], inputs: UnsafePointer(batch.base), stride: batchStride)
  }

  /// Evaluates the batch at each of `weights` (outputs at `batchOutputs(_:weightIndex:)`; with
  /// individual connection weights set, give one weight, which is ignored). Input i of sample b
  /// is read at `inputs[i * stride + b]` (the batch's own rows, or a batch gathered elsewhere and
  /// shared); `stride` is a whole number of lanes. Each chunk of eight samples is loaded once
  /// and evaluated at every weight while it is in cache. Call `prepareBatch` first.
  public mutating func forwardBatch(weights list: [Double], inputs: UnsafePointer<Double>, stride: Int) {
    precondition(list.count <= batchWeightCount, "prepareBatch(size:weightCount:) with enough weights first")
    var batchProgram = program
    batchProgram.recurrentCount = 0
    let connectionWeights = usesConnectionWeights ? UnsafePointer(self.connectionWeights.base) : nil
    var start = 0
    while start < batchSize {
      for u in 0..<usedInputCount {
        let i = Int(usedInputs[u])
        (values.base + (1 &+ i) &* Self.laneCount).update(from: inputs + (i &* stride &+ start), count: Self.laneCount)
      }
      for (w, weight) in list.enumerated() {
        weights.fill(slot: 0, with: weight)
        wann_lanes_forward(&batchProgram, values.base, previous.base, weights.base, connectionWeights)
        for o in 0..<outputCount {
          (batch.base + ((inputCount &+ w &* outputCount &+ o) &* batchStride &+ start))
            .update(from: values.base + Int(outputs[o]) &* Self.laneCount, count: Self.laneCount)
        }
      }
      start &+= Self.laneCount
    }
  }

  /// Enabled connections of the loaded network: feed-forward ones first (in evaluation order),
  /// then recurrent ones.
  public var connectionCount: Int { feedForwardConnectionCount + recurrentCount }

  /// Gives connection i the weight `draw(i)` in every lane for the following steps (until
  /// `useSharedWeight` or the next `load`); `forward` then ignores the shared weights.
  public mutating func setConnectionWeights(_ draw: (Int) -> Double) {
    for i in 0..<connectionCount { connectionWeights.fill(slot: i, with: draw(i)) }
    usesConnectionWeights = true
  }

  /// Gives connection i the weight `draw(i)` in `lane` only (and switches to individual weights).
  public mutating func setConnectionWeights(lane: Int, _ draw: (Int) -> Double) {
    for i in 0..<connectionCount { connectionWeights[i, lane] = draw(i) }
    usesConnectionWeights = true
  }

  public mutating func useSharedWeight() { usesConnectionWeights = false }

  /// Sets the shared weight of one lane for `forward()`.
  @inline(__always)
  public func setLaneWeight(_ lane: Int, _ weight: Double) { weights[0, lane] = weight }

  /// Evaluates every non-input node once with all connections at `weight` in every lane (or at
  /// their own weights after `setConnectionWeights`). Write the observation with `setInput`
  /// first; read outputs with `output(_:)`.
  @inline(__always)
  public func forward(weight: Double) {
    weights.fill(slot: 0, with: weight)
    forward()
  }

  /// Evaluates every non-input node once: lane l with its shared weight (`setLaneWeight`), or
  /// with its connection weights after `setConnectionWeights`.
  @inline(__always)
  public func forward() { step(wann_lanes_forward) }

  /// As `forward()`, in the first `narrowLaneCount` lanes only: each of them gets the same bits
  /// as from `forward()`; the other lanes are neither read nor written.
  @inline(__always)
  public func forwardNarrow() { step(wann_lanes_forward_narrow) }

  /// Runs one of the C step kernels (full or narrow) on the loaded program and this evaluator's
  /// buffers.
  @inline(__always)
  private func step(
    _ kernel: (
      UnsafePointer<wann_program>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
      UnsafePointer<Double>, UnsafePointer<Double>?
    ) -> Void
  ) {
    var program = self.program
    kernel(
      &program, values.base, previous.base, weights.base,
      usesConnectionWeights ? UnsafePointer(connectionWeights.base) : nil)
  }

  /// Moves the episode in lane `from` to lane `to`: its nodes' values, its recurrent state, its
  /// shared weight and its connection weights (lane `from` keeps a copy). With `copyInputs` and
  /// `copyOutputs`, this lets a driver gather the lanes still playing into the first ones and
  /// step them with `forwardNarrow()`.
  public func moveLane(from: Int, to: Int) {
    guard from != to else { return }
    var k = inputCount &+ 1
    let end = inputCount &+ 1 &+ evaluatedCount
    while k < end {
      values[k, to] = values[k, from]
      k &+= 1
    }
    for r in 0..<recurrentCount { previous[r, to] = previous[r, from] }
    weights[0, to] = weights[0, from]
    for c in 0..<connectionCount { connectionWeights[c, to] = connectionWeights[c, from] }
  }

  /// Copies every input of lane `from` to lane `to`.
  @inline(__always)
  public func copyInputs(fromLane from: Int, toLane to: Int) {
    var i = 1
    while i <= inputCount {
      values[i, to] = values[i, from]
      i &+= 1
    }
  }

  /// Copies every output of lane `from` to lane `to` (after a step: outputs are recomputed by
  /// the next one, and the recurrent state was saved before this copy).
  @inline(__always)
  public func copyOutputs(fromLane from: Int, toLane to: Int) {
    for o in 0..<outputCount {
      let slot = Int(outputs[o])
      values[slot, to] = values[slot, from]
    }
  }

  /// Output `i` of lane 0 (every lane, after a scalar `setInput`/`forward(weight:)`).
  @inline(__always)
  public func output(_ i: Int) -> Double { values[Int(outputs[i]), 0] }

  /// Output `i` of every lane.
  @inlinable @inline(__always)
  public func outputLanes(_ i: Int) -> Lanes { values.lanes(Int(outputs[i])) }

  /// Sets input `i` to `value` in every lane.
  @inline(__always)
  public func setInput(_ i: Int, _ value: Double) { values.fill(slot: 1 &+ i, with: value) }

  /// Sets input `i` lane by lane.
  @inlinable @inline(__always)
  public func setInput(_ i: Int, _ value: Lanes) { values.setLanes(1 &+ i, value) }
}

/// Slots of one double per lane (a `GrowableBuffer` of `slots x width` doubles): each slot is
/// one whole vector register, so the C kernels load and store a node's eight lanes at once.
@usableFromInline
struct LaneBuffer {
  @usableFromInline static var width: Int { Lanes.scalarCount }

  @usableFromInline private(set) var storage: GrowableBuffer<Double>
  @usableFromInline var base: UnsafeMutablePointer<Double> { storage.base }

  init(slots: Int) { storage = GrowableBuffer(capacity: Swift.max(1, slots) * Self.width) }

  func deallocate() { storage.deallocate() }

  /// Grows to at least `count` slots (contents are not kept).
  mutating func reserve(slots count: Int) { storage.reserve(count * Self.width) }

  @inline(__always)
  subscript(slot: Int, lane: Int) -> Double {
    get { base[slot &* Self.width &+ lane] }
    nonmutating set { base[slot &* Self.width &+ lane] = newValue }
  }

  @inline(__always)
  func fill(slot: Int, with value: Double) {
    (base + slot &* Self.width).update(repeating: value, count: Self.width)
  }

  @inline(__always)
  func zero(slots count: Int, from first: Int = 0) {
    (base + first &* Self.width).update(repeating: 0, count: count &* Self.width)
  }

  @inlinable @inline(__always)
  func lanes(_ slot: Int) -> Lanes { UnsafeRawPointer(base + slot &* Self.width).loadUnaligned(as: Lanes.self) }

  @inlinable @inline(__always)
  func setLanes(_ slot: Int, _ value: Lanes) {
    UnsafeMutableRawPointer(base + slot &* Self.width).storeBytes(of: value, as: Lanes.self)
  }
}
