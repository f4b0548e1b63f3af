/// A heap buffer of plain values that only grows, 64-byte aligned (whole AVX-512 registers).
/// `reserve` reallocates when asked for more than it holds (to twice that, contents not kept, the
/// new memory zeroed), so an evaluator that loads network after network allocates only for the
/// largest one yet, never per step. It does not free itself: its owner (a non-copyable type)
/// calls `deallocate()` once, in its deinit.
@usableFromInline
struct GrowableBuffer<Element: BitwiseCopyable> {
  @usableFromInline private(set) var base: UnsafeMutablePointer<Element>
  private(set) var capacity: Int

  init(capacity: Int = 1) {
    self.capacity = Swift.max(1, capacity)
    base = Self.allocate(self.capacity)
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
    let bytes = count * MemoryLayout<Element>.stride
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: bytes, alignment: Swift.max(64, MemoryLayout<Element>.alignment))
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    return raw.bindMemory(to: Element.self, capacity: count)
  }

  func deallocate() { UnsafeMutableRawPointer(base).deallocate() }

  /// Holds at least `count` elements afterwards (contents are not kept when it grows).
  mutating func reserve(_ count: Int) {
    guard count > capacity else { return }
    deallocate()
    capacity = count * 2
    base = Self.allocate(capacity)
  }

  /// Grows to hold `values` and copies them to the front.
  mutating func load(_ values: [Element]) {
    reserve(values.count)
    values.withUnsafeBufferPointer { if let source = $0.baseAddress { base.update(from: source, count: $0.count) } }
  }

  @inlinable @inline(__always)
  subscript(i: Int) -> Element {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }
}
