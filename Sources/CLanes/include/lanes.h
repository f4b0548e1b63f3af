#ifndef WANN_LANES_H
#define WANN_LANES_H

#include <stdint.h>

/// Eight lanes of doubles: what every value slot of a network holds (one per rollout or sample).
#define WANN_LANE_COUNT 8
enum { WANN_LANES = WANN_LANE_COUNT };
/// Lanes the narrow step computes: the first four of each slot (one 256-bit register).
enum { WANN_NARROW_LANES = 4 };

/// A compiled network as the lane evaluator reads it (arrays owned by the Swift evaluator).
/// Slot s holds lanes values[8s ..< 8s + 8]; slot 0 is the bias, then the inputs, then the
/// evaluated nodes in order.
typedef struct {
  /// Activation id (the original release's 1...11) of each evaluated node.
  const int32_t *activations;
  /// Sources of evaluated node k: sources[sourceStart[k] ..< sourceStart[k + 1]] (slot numbers).
  const int32_t *sourceStart;
  const int32_t *sources;
  /// Recurrent inputs of node k: previous[recurrentStart[k] ..< recurrentStart[k + 1]] (only read
  /// when recurrentCount > 0); recurrentSources[r] is the slot saved into previous[r] after a step.
  const int32_t *recurrentStart;
  const int32_t *recurrentSources;
  int32_t evaluatedCount;
  /// Slot of the first evaluated node (inputs + 1).
  int32_t firstEvaluated;
  int32_t recurrentCount;
  int32_t feedForwardConnectionCount;
} wann_program;

/// One step of the network in all eight lanes. Shared weights: node input = laneWeights · Σ
/// sources (connectionWeights NULL). Individual weights: node input = Σ w_i · source_i, with 8
/// lanes per connection in connectionWeights (feed-forward connections in order, then recurrent).
/// values, previous and connectionWeights are 64-byte aligned.
void wann_lanes_forward(const wann_program *program, double *values, double *previous,
                        const double *laneWeights, const double *connectionWeights);

/// The same step in the first WANN_NARROW_LANES lanes only (the others are neither read nor
/// written): each of those lanes gets exactly the bits wann_lanes_forward gives it.
void wann_lanes_forward_narrow(const wann_program *program, double *values, double *previous,
                               const double *laneWeights, const double *connectionWeights);

/// out[l] = activation(in[l]) for the eight lanes (ids 1...11; anything else is the identity).
void wann_lanes_activate(int32_t activation, const double *in, double *out);

/// Sum over samples 0 ..< count of -log softmax(outputs)[label]: output o of sample b is
/// rows[o][b] (rows padded to whole lanes), labels[b] its class. The maximum and the
/// exponentials run on eight samples at a time, the log per sample (glibc), and the losses are
/// added in sample order; a sample whose loss is not finite (outputs that overflowed) costs 1000.
double wann_lanes_cross_entropy(const double *const *rows, int32_t outputs, const uint8_t *labels, int32_t count);

/// The kernels alone, eight lanes each (for the accuracy checks).
void wann_lanes_exp(const double *in, double *out);
void wann_lanes_tanh(const double *in, double *out);
void wann_lanes_sinpi(const double *in, double *out);
void wann_lanes_cospi(const double *in, double *out);

#endif
