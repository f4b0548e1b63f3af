/// Which links add-connection may create. The paper's space is feed-forward: links only go
/// from a node to a later layer (the original's rule). Two independent switches widen it:
/// - `recurrent`: any link, self-loops included; a link that would close a cycle among the
///   non-recurrent links becomes a recurrent (one-step delayed) link;
/// - `outputToOutput`: links between output nodes (feed-forward order unless recurrent).
/// See docs/recurrence.md for the evaluation semantics.
public struct SearchSpace: Codable, Sendable, Equatable {
  public var recurrent = false
  public var outputToOutput = false

  public init(recurrent: Bool = false, outputToOutput: Bool = false) {
    self.recurrent = recurrent
    self.outputToOutput = outputToOutput
  }

  /// The paper's space.
  public static let feedForward = SearchSpace()

  public var name: String {
    switch (recurrent, outputToOutput) {
    case (false, false): "feedForward"
    case (true, false): "recurrent"
    case (false, true): "outputToOutput"
    case (true, true): "recurrent+outputToOutput"
    }
  }
}
