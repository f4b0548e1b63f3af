"""Running a stored WANN outside the engine: a NumPy evaluator with the engine's semantics.

    import wann_h5
    net = wann_h5.Network.from_archive("runs/swingup.h5")          # the champion
    net.reset()
    action = net.act(observation, weight=1.0)                       # one step: outputs array

Semantics (docs/recurrence.md): the bias node is 1; every hidden and output node, in a
topological order of the active non-recurrent connections, takes
act(w * (sum of its sources' values + sum of its recurrent sources' previous values)) with a
shared weight w, or act(sum of w_i * value_i) with individual weights. Recurrent connections
deliver their source's value from the previous step (0 after `reset`). Sums are taken one term at
a time in the engine's order, and the activations are the engine's own kernels ported operation
for operation (Python floats never fuse a multiply and an add), so the outputs are the engine's
(`wann act`) bit for bit, step after step.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _kernels
from .activations import Activation

KIND_CODES = {0: "bias", 1: "input", 2: "hidden", 3: "output"}


_KERNELS = {
    Activation.LINEAR: lambda x: x,
    Activation.STEP: lambda x: 1.0 if x > 0.0 else 0.0,
    Activation.SIN: _kernels.sinpi,
    Activation.GAUSSIAN: _kernels.gaussian,
    Activation.TANH: _kernels.tanh,
    Activation.SIGMOID: lambda x: (_kernels.tanh(x / 2.0) + 1.0) / 2.0,
    Activation.INVERSE: lambda x: -x,
    Activation.ABS: abs,
    Activation.RELU: lambda x: x if x > 0.0 else 0.0,
    Activation.COS: _kernels.cospi,
    Activation.SQUARE: lambda x: x * x,
}


def activate(activation: int, x: float) -> float:
    """The activation with id `activation` (an `Activation` or its id, 1...11) at x, bit for bit
    the engine's (its kernels are ported in `_kernels`). An unknown id raises ValueError."""
    kernel = _KERNELS.get(activation)
    if kernel is None:
        return _KERNELS[Activation.of(activation)](x)  # raises for ids and names it does not know
    return kernel(x)


class Network:
    """A genome compiled for evaluation, with its recurrent state.

    Build it from an archive (`from_archive`), from node and connection frames as the reader
    returns them (`Network(nodes, connections)`), from a genome JSON file (`from_json`) or from the
    original release's .out matrix (`from_original`)."""

    def __init__(self, nodes: pd.DataFrame, connections: pd.DataFrame, disabled_hidden_links: str = "inactive"):
        """`nodes`: id, kind ("bias"/"input"/"hidden"/"output" or codes 0-3), activation (id), in
        the genome's node order. `connections`: innovation, source, target, enabled, recurrent,
        and optionally `active` (the reader's column; else computed from `enabled` and
        `disabled_hidden_links`), in the genome's connection order."""
        ids = [int(i) for i in nodes["id"]]
        kinds = [KIND_CODES.get(k, k) if not isinstance(k, str) else k for k in nodes["kind"]]
        activations = [Activation.of(int(a)) for a in nodes["activation"]]  # unknown ids raise here
        index = {node: i for i, node in enumerate(ids)}
        n = len(ids)
        hidden = {ids[i] for i in range(n) if kinds[i] == "hidden"}
        incoming: list[list[int]] = [[] for _ in range(n)]
        incoming_genes: list[list[int]] = [[] for _ in range(n)]
        delayed: list[list[int]] = [[] for _ in range(n)]
        delayed_genes: list[list[int]] = [[] for _ in range(n)]
        outgoing: list[list[int]] = [[] for _ in range(n)]
        indegree = [0] * n
        for row in connections.itertuples(index=False):
            source, target = int(row.source), int(row.target)
            if hasattr(row, "active"):
                active = bool(row.active)
            else:
                active = bool(row.enabled) or (disabled_hidden_links == "active" and source in hidden and target in hidden)
            if not active:
                continue
            if source not in index or target not in index:
                raise ValueError(f"connection {int(row.innovation)} refers to an unknown node")
            s, t = index[source], index[target]
            if bool(getattr(row, "recurrent", False)):
                delayed[t].append(s)
                delayed_genes[t].append(int(row.innovation))
                continue
            incoming[t].append(s)
            incoming_genes[t].append(int(row.innovation))
            outgoing[s].append(t)
            indegree[t] += 1
        slot_of = [-1] * n
        slot_nodes: list[int] = []
        for kind in ("bias", "input"):
            for i in range(n):
                if kinds[i] == kind:
                    slot_of[i] = len(slot_nodes)
                    slot_nodes.append(ids[i])
        self.input_count = sum(1 for k in kinds if k == "input")
        # Kahn's algorithm, ready nodes in node order: the engine's slot layout.
        ready = [i for i in range(n) if indegree[i] == 0]
        order: list[int] = []
        cursor = 0
        while cursor < len(ready):
            i = ready[cursor]
            cursor += 1
            order.append(i)
            for t in outgoing[i]:
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        if len(order) != n:
            raise ValueError("the active connections contain a cycle")
        evaluated = [i for i in order if kinds[i] in ("hidden", "output")]
        for i in evaluated:
            slot_of[i] = len(slot_nodes)
            slot_nodes.append(ids[i])
        self.slot_nodes = slot_nodes
        self.activations = [activations[i] for i in evaluated]
        self.sources = [[slot_of[s] for s in incoming[i]] for i in evaluated]
        self.recurrent_sources = [[slot_of[s] for s in delayed[i]] for i in evaluated]
        #: The connection behind each weight, in the engine's order: feed-forward ones in
        #: evaluation order, then recurrent ones (what individual weights are matched to).
        self.connection_innovations = [g for i in evaluated for g in incoming_genes[i]] + \
            [g for i in evaluated for g in delayed_genes[i]]
        self._feed_forward_count = sum(len(incoming_genes[i]) for i in evaluated)
        self.output_slots = [slot_of[i] for i in range(n) if kinds[i] == "output"]
        self.first_evaluated = 1 + self.input_count
        self.values = np.zeros(len(slot_nodes))
        self.previous = np.zeros(sum(len(r) for r in self.recurrent_sources))
        self.stored_weights: dict[int, float] | None = None
        self.reset()

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_archive(cls, path: str, genome: str | tuple[int, int] = "champion", run: str | None = None) -> Network:
        """The champion (default) or a genome of a run archive, or of run `run` of a comparison
        or experiment archive. `genome`: "champion", "G/I" (generation/index, as the engine
        writes `FILE.h5#12/0`) or a (generation, index) pair. ArchiveError names what is missing."""
        from .archive import ArchiveError, open_archive, parse_genome

        ref = parse_genome(genome)
        with open_archive(path, run) as a:
            rule = a.disabled_hidden_links
            if ref == "champion":
                c = a.champion()
                if c is None:
                    raise ArchiveError(f"{path} has no champion yet (no complete generation): pick a genome as 'GENERATION/INDEX'")
                return cls(c["nodes"], c["connections"], rule)
            generation, index = ref
            nodes, conns = a.nodes(generation), a.connections(generation)
            count = len(a.group(generation)["genomes"])
            if not 0 <= index < count:
                raise ArchiveError(f"generation {generation} of {path} has genomes 0...{count - 1}, not {index}")
            return cls(nodes[nodes.genome == index].reset_index(drop=True), conns[conns.genome == index].reset_index(drop=True), rule)

    @classmethod
    def from_json(cls, path: str, index: int = 0) -> Network:
        """A genome document written by the engine (`wann export --champion`, a search's
        champion file): a single document or an export's array (`index` picks one)."""
        import json

        from .archive import ArchiveError

        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            hint = ": it is an archive, read it with Network.from_archive" if str(path).endswith(".h5") else ""
            raise ArchiveError(f"{path} is not a genome JSON file ({e.__class__.__name__}){hint}") from None
        if isinstance(doc, list):
            if not 0 <= index < len(doc):
                raise ArchiveError(f"{path} holds genomes 0...{len(doc) - 1}, not {index}")
            doc = doc[index]
        doc = doc.get("document", doc) if isinstance(doc, dict) else doc
        g = doc.get("genome", doc) if isinstance(doc, dict) else None
        if not isinstance(g, dict) or "nodes" not in g or "connections" not in g:
            raise ArchiveError(f"{path} is JSON but not a wann genome (no nodes and connections): write one with `wann export --champion`")
        nodes = pd.DataFrame([{"id": n["id"], "kind": n["kind"], "activation": _activation_id(n["activation"])} for n in g["nodes"]])
        conns = pd.DataFrame([{"innovation": c["innovation"], "source": c["source"], "target": c["target"],
                               "enabled": c.get("isEnabled", c.get("enabled", True)),
                               "recurrent": c.get("isRecurrent", c.get("recurrent", False))}
                              for c in g["connections"]],
                             columns=["innovation", "source", "target", "enabled", "recurrent"])
        return cls(nodes, conns, g.get("disabledHiddenLinks", "inactive"))

    @classmethod
    def from_original(cls, path: str, inputs: int, outputs: int) -> Network:
        """A champion of the original release (its .out file: an N x N weight matrix, row =
        source, column = target, plus a column of activation ids; nodes ordered bias, inputs,
        hidden, outputs). Its trained weights are kept in `stored_weights` (innovation = the
        connection's position in row-major order) for `act(..., weights=net.stored_weights)`."""
        from .archive import ArchiveError

        try:
            matrix = np.atleast_2d(np.genfromtxt(path, delimiter=","))
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise ArchiveError(f"cannot read {path} as an original-release network: {e}") from None
        n = matrix.shape[0]
        if matrix.shape[1] != n + 1 or n < 1 + inputs + outputs:
            raise ArchiveError(f"{path}: expected N rows of N + 1 values with N >= {1 + inputs + outputs}")
        _check_original_sizes(path, np.nan_to_num(matrix[:, :n]) != 0, inputs, outputs)
        kinds = ["bias"] + ["input"] * inputs + ["hidden"] * (n - 1 - inputs - outputs) + ["output"] * outputs
        nodes = pd.DataFrame({"id": range(n), "kind": kinds, "activation": [int(a) if np.isfinite(a) else 1 for a in matrix[:, n]]})
        rows, weights = [], {}
        for s in range(n):
            for t in range(n):
                w = matrix[s, t]
                if np.isfinite(w) and w != 0.0:
                    innovation = len(rows)
                    rows.append({"innovation": innovation, "source": s, "target": t, "enabled": True, "recurrent": False})
                    weights[innovation] = float(w)
        net = cls(nodes, pd.DataFrame(rows, columns=["innovation", "source", "target", "enabled", "recurrent"]))
        net.stored_weights = weights
        return net

    # -- evaluation -------------------------------------------------------------------------

    @property
    def output_count(self) -> int:
        return len(self.output_slots)

    @property
    def is_recurrent(self) -> bool:
        return len(self.previous) > 0

    def reset(self) -> None:
        """Clears the recurrent state (the start of an episode)."""
        self.values[:] = 0.0
        self.values[0] = 1.0
        self.previous[:] = 0.0

    def act(self, observation: Sequence[float] | np.ndarray, weight: float = 1.0,
            weights: Mapping[int, float] | Sequence[float] | None = None) -> np.ndarray:
        """One time step: writes the observation into the inputs, evaluates every node and
        returns the outputs. `weight`: the shared weight. `weights`: individual connection
        weights instead, a mapping innovation -> weight or a sequence in
        `connection_innovations` order."""
        obs = np.asarray(observation, dtype=float).ravel()
        if obs.shape[0] != self.input_count:
            raise ValueError(f"the network has {self.input_count} inputs, the observation {obs.shape[0]} values")
        v = self.values
        v[0] = 1.0
        v[1:1 + self.input_count] = obs
        per_connection = None
        if weights is not None:
            if isinstance(weights, Mapping):
                missing = [g for g in self.connection_innovations if g not in weights]
                if missing:
                    raise ValueError(f"no weight for connection(s) {missing[:5]}")
                per_connection = [float(weights[g]) for g in self.connection_innovations]
            else:
                per_connection = [float(x) for x in weights]
                if len(per_connection) != len(self.connection_innovations):
                    raise ValueError(f"{len(per_connection)} weights for {len(self.connection_innovations)} connections")
        w = float(weight)
        e = 0
        d = self._feed_forward_count
        r = 0
        values = v.tolist()
        for k, (activation, sources, recurrent) in enumerate(zip(self.activations, self.sources, self.recurrent_sources, strict=True)):
            total = 0.0
            if per_connection is None:
                for s in sources:
                    total += values[s]
                for _ in recurrent:
                    total += self.previous[r]
                    r += 1
                total = w * total
            else:
                for s in sources:
                    total += per_connection[e] * values[s]
                    e += 1
                for _ in recurrent:
                    total += per_connection[d] * self.previous[r]
                    d += 1
                    r += 1
            values[self.first_evaluated + k] = activate(activation, total)
        v[:] = values
        r = 0
        for recurrent in self.recurrent_sources:
            for s in recurrent:
                self.previous[r] = values[s]
                r += 1
        return np.array([values[s] for s in self.output_slots])

    def __repr__(self) -> str:
        return (f"Network({self.input_count} inputs, {self.output_count} outputs, {len(self.activations) - self.output_count} hidden, "
                f"{len(self.connection_innovations)} connections{', recurrent' if self.is_recurrent else ''})")

    # -- PyTorch ----------------------------------------------------------------------------

    def to_torch(self, individual_weights: bool = False, weight: float = 1.0):
        """A `torch.nn.Module` computing the same network (float64): `module(x)` takes a batch of
        observations [batch, inputs] and returns [batch, outputs]; recurrent state is kept in
        `module.previous` between calls (`module.reset()`). The shared weight is the parameter
        `module.weight`; with `individual_weights`, one parameter per connection
        (`module.weights`, in `connection_innovations` order, starting at `weight`) instead.
        Needs PyTorch (not a dependency of this package)."""
        from ._torch import TorchNetwork

        return TorchNetwork(self, individual_weights=individual_weights, weight=weight)


def _activation_id(value) -> int:
    return int(Activation.of(value))


def _check_original_sizes(path: str, linked, inputs: int, outputs: int) -> None:
    """An original .out file does not say how many of its first nodes are inputs and how many of
    its last are outputs, so wrong counts would build a wrong network silently. Its networks are
    feed-forward and grown by splitting links: inputs and the bias have no incoming link, outputs
    no outgoing one, and every hidden node both. Checks the counts given against that."""
    from .archive import ArchiveError

    n = len(linked)
    incoming, outgoing = linked.sum(axis=0), linked.sum(axis=1)
    likely_inputs = next((k for k in range(n) if incoming[k] > 0), n) - 1
    likely_outputs = n - 1 - next((k for k in reversed(range(n)) if outgoing[k] > 0), -1)
    hidden = range(1 + inputs, n - outputs)
    wrong = [k for k in hidden if incoming[k] == 0 or outgoing[k] == 0] + [k for k in range(n - outputs, n) if outgoing[k] > 0] \
        + [k for k in range(1 + inputs) if incoming[k] > 0]
    if wrong:
        raise ArchiveError(f"{path} does not fit inputs={inputs}, outputs={outputs} (node {wrong[0]} would be misread); "
                           f"its links fit inputs={likely_inputs}, outputs={likely_outputs}: pass the task's sizes")
