/// Which links add-connection may create. The paper's space is feed-forward: links only go
/// from a node to a later layer (the original's rule). Two independent switches widen it:
/// - `recurrent`: any link, self-loops included; a link that would close a cycle among the
///   non-recurrent links becomes a recurrent (one-step delayed) link;
/// - `outputToOutput`: links between output nodes (feed-forward order unless recurrent).
/// See docs/recurrence.md for the evaluation semantics.
///
/// `disabledHiddenLinks` says which network a genome expresses: whether a disabled gene between
/// two hidden nodes is left out (ours) or stays in the network (the original release).
public struct SearchSpace: Codable, Sendable, Equatable {
  public var recurrent = false
  public var outputToOutput = false
  public var disabledHiddenLinks = DisabledLinkRule.inactive

  public init(recurrent: Bool = false, outputToOutput: Bool = false, disabledHiddenLinks: DisabledLinkRule = .inactive)
  {
    self.recurrent = recurrent
    self.outputToOutput = outputToOutput
    self.disabledHiddenLinks = disabledHiddenLinks
  }

  enum CodingKeys: String, CodingKey { case recurrent, outputToOutput, disabledHiddenLinks }

  /// Configs written before `disabledHiddenLinks` existed ran with disabled genes inactive.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    recurrent = try c.decode(Bool.self, forKey: .recurrent)
    outputToOutput = try c.decode(Bool.self, forKey: .outputToOutput)
    disabledHiddenLinks = try c.decodeIfPresent(DisabledLinkRule.self, forKey: .disabledHiddenLinks) ?? .inactive
  }

  /// The paper's space.
  public static let feedForward = SearchSpace()

  /// True when links go only forward between layers (the paper's rule), whatever the
  /// disabled-link rule: which links may exist does not depend on how disabled genes express.
  public var isFeedForward: Bool { !recurrent && !outputToOutput }

  public var name: String {
    switch (recurrent, outputToOutput) {
    case (false, false): "feedForward"
    case (true, false): "recurrent"
    case (false, true): "outputToOutput"
    case (true, true): "recurrent+outputToOutput"
    }
  }
}

/// What a disabled connection gene between two hidden nodes does in the network a genome
/// expresses. Mutation always sees the gene as disabled (insert-node disabled it; enable may
/// re-enable it); only the evaluated network and the connection count differ.
public enum DisabledLinkRule: String, Codable, Sendable, CaseIterable {
  /// A disabled gene is not in the network, wherever it runs (NEAT; our default).
  case inactive
  /// The original release: its `getNodeOrder` sets every nonzero entry of the hidden-to-hidden
  /// block of the weight matrix to 1 through a NumPy view, and a disabled gene's entry is NaN
  /// (nonzero), so a disabled hidden-to-hidden gene stays active at the shared weight and counts
  /// as a connection. Disabled genes from bias, inputs or into outputs stay inactive.
  case active
}
