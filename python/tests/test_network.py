"""wann_h5.Network against the engine: the same genome, the same inputs step by step, the same
outputs (`wann act` prints the engine's with every digit). The package ports the engine's
activation kernels, so the outputs must be the same bits (0 ulp), even through recurrent state."""
from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pandas as pd
import pytest

import wann_h5
from wann_h5.network import activate

ULPS = 0


def engine_outputs(wann, genome: str, inputs: np.ndarray, tmp_path, weight: float | None = None, weights: dict | None = None,
                   task: str | None = None) -> np.ndarray:
    csv = tmp_path / "inputs.csv"
    csv.write_text("\n".join(",".join(repr(float(x)) for x in row) for row in inputs) + "\n")
    cmd = [str(wann), "act", "--genome", genome, "--inputs", str(csv), "--json"]
    if task:
        cmd += ["--task", task]
    if weights is not None:
        wf = tmp_path / "weights.json"
        wf.write_text(json.dumps({str(k): v for k, v in weights.items()}))
        cmd += ["--connection-weights", str(wf)]
    else:
        cmd += [f"--weight={weight}"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return np.array(json.loads(r.stdout)["outputs"], dtype=float)


def python_outputs(net: wann_h5.Network, inputs: np.ndarray, weight: float = 1.0, weights=None) -> np.ndarray:
    net.reset()
    return np.array([net.act(row, weight=weight, weights=weights) for row in inputs])


def assert_close_in_ulps(a: np.ndarray, b: np.ndarray, ulps: int = ULPS):
    assert a.shape == b.shape
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)  # near 0, compare against 1's ulp
    diff = np.abs(a - b) / (np.spacing(scale))
    assert np.all(diff <= ulps), f"up to {diff.max():.0f} ulp apart (step {np.unravel_index(diff.argmax(), diff.shape)})"


def genome_document(path, nodes, connections, task="swingup"):
    doc = {"format": "wann-genome", "version": 1, "task": task,
           "genome": {"nodes": [{"id": i, "kind": k, "activation": a} for i, k, a in nodes],
                      "connections": [{"innovation": n, "source": s, "target": t, "isEnabled": e, "isRecurrent": r}
                                      for n, s, t, e, r in connections]}}
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.fixture(scope="module")
def inputs5():
    rng = np.random.default_rng(7)
    return rng.normal(0, 1.5, size=(60, 5))


def test_activations_follow_the_engine_formulas():
    import wann_h5._kernels as k

    # The ported kernels stay within a few ulp of the C library (the engine's tests check the
    # same of its kernels).
    rng = np.random.default_rng(1)
    for x in np.concatenate([rng.normal(0, 3, 2000), rng.uniform(-40, 40, 2000)]):
        x = float(x)
        assert abs(k.exp(x) - math.exp(x)) <= 2 * np.spacing(abs(math.exp(x)))
        assert abs(k.tanh(x) - math.tanh(x)) <= 3 * np.spacing(max(abs(math.tanh(x)), 1e-300))
        assert abs(k.sinpi(x) - math.sin(math.pi * x)) <= 1e-13 * max(1.0, abs(x))
        assert abs(k.cospi(x) - math.cos(math.pi * x)) <= 1e-13 * max(1.0, abs(x))
    assert k.sinpi(1.0) == 0.0 and k.cospi(0.5) == 0.0 and k.sinpi(0.5) == 1.0 and math.isnan(k.exp(float("nan")))
    assert k.exp(800.0) == math.inf and k.exp(-800.0) == 0.0 and k.tanh(math.inf) == 1.0 and k.tanh(-30.0) == -1.0
    assert activate(2, 0.0) == 0.0 and activate(2, 1e-300) == 1.0
    assert activate(3, 0.5) == pytest.approx(1.0) and abs(activate(3, 1e6 + 1)) < 1e-9  # sin(pi x), reduced exactly
    assert activate(4, 2.0) == pytest.approx(math.exp(-2.0)) and activate(6, 0.0) == 0.5
    assert activate(7, 3.0) == -3.0 and activate(9, -1.0) == 0.0 and activate(10, 1.0) == pytest.approx(-1.0) and activate(11, -3.0) == 9.0


def test_activations_are_named_ids_and_unknown_ones_raise(run_archive):
    A = wann_h5.Activation
    assert A.TANH == 5 and A.of(5) is A.TANH and A.of("Tanh") is A.TANH and A.of("11") is A.SQUARE and A.SIN.label == "sin"
    assert wann_h5.ACTIVATION_NAMES == {1: "linear", 2: "step", 3: "sin", 4: "gaussian", 5: "tanh", 6: "sigmoid",
                                        7: "inverse", 8: "abs", 9: "relu", 10: "cos", 11: "square"}
    for unknown in (0, 12, -1, "softmax"):
        with pytest.raises(ValueError, match="unknown activation"):
            A.of(unknown)
        with pytest.raises(ValueError, match="unknown activation"):
            activate(unknown, 1.0)
    # A stored genome with an id this package does not know is refused, not run as something else.
    with wann_h5.open_archive(run_archive) as run:
        champion = run.champion()
    nodes = champion["nodes"].copy()
    hidden = nodes.index[nodes["kind"] == "hidden"]
    target = hidden[0] if len(hidden) else nodes.index[-1]
    nodes.loc[target, "activation"] = 12
    with pytest.raises(ValueError, match="unknown activation 12"):
        wann_h5.Network(nodes, champion["connections"])


def test_archive_champion_agrees_with_the_engine(wann, run_archive, inputs5, tmp_path):
    net = wann_h5.Network.from_archive(run_archive)
    assert net.input_count == 5 and net.output_count == 1
    for w in (-2.0, -0.5, 0.7, 1.0, 2.0):
        assert_close_in_ulps(python_outputs(net, inputs5, w), engine_outputs(wann, f"{run_archive}#champion", inputs5, tmp_path, w))
    # Any stored genome, by (generation, index).
    with wann_h5.open_archive(run_archive) as run:
        g = run.generations()[-1]
    for index in (0, 5):
        net = wann_h5.Network.from_archive(run_archive, genome=(g, index))
        assert_close_in_ulps(python_outputs(net, inputs5, 1.3), engine_outputs(wann, f"{run_archive}#{g}/{index}", inputs5, tmp_path, 1.3))


def test_recurrent_and_output_to_output_links_agree(wann, tmp_path):
    # The walker's interface (24 inputs, 4 outputs): bias 0, inputs 1-24, outputs 25-28, hidden
    # 29-31; every activation in turn, a self-loop, a recurrent hidden -> hidden link, a recurrent
    # output -> hidden link, output -> output links, a disabled gene.
    inputs = np.random.default_rng(5).normal(0, 1.5, size=(60, 24))
    nodes = [(0, "bias", 1)] + [(i, "input", 1) for i in range(1, 25)] + [(o, "output", 1) for o in range(25, 29)] \
        + [(29, "hidden", 5), (30, "hidden", 3), (31, "hidden", 6)]
    conns = [(0, 1, 29, True, False), (1, 2, 29, True, False), (2, 29, 30, True, False), (3, 30, 25, True, False),
             (4, 25, 26, True, False), (5, 26, 27, True, False),  # output -> output chain, same step
             (6, 29, 29, True, True),                               # self-loop
             (7, 30, 31, True, True), (8, 31, 26, True, False), (9, 25, 31, True, True),  # recurrent, from an output
             (10, 0, 28, True, False), (11, 3, 30, False, False), (12, 24, 31, True, False), (13, 27, 28, True, False)]
    for activations in ([5, 3, 6], [2, 4, 8], [9, 10, 11], [7, 1, 5]):
        for k, a in enumerate(activations):
            nodes[29 + k] = (29 + k, "hidden", a)
        path = genome_document(tmp_path / "rec.json", nodes, conns, task="biped")
        net = wann_h5.Network.from_json(path)
        assert net.is_recurrent and net.output_count == 4
        for w in (-1.5, 0.5, 2.0):
            assert_close_in_ulps(python_outputs(net, inputs, w), engine_outputs(wann, path, inputs, tmp_path, w))


def test_individual_weights_agree(wann, inputs5, tmp_path):
    nodes = [(0, "bias", 1)] + [(i, "input", 1) for i in range(1, 6)] + [(6, "output", 1), (7, "hidden", 5), (8, "hidden", 4)]
    conns = [(0, 1, 7, True, False), (1, 2, 7, True, False), (2, 7, 8, True, False), (3, 8, 6, True, False),
             (4, 7, 6, True, False), (5, 8, 8, True, True), (6, 0, 6, True, False)]
    path = genome_document(tmp_path / "ind.json", nodes, conns)
    net = wann_h5.Network.from_json(path)
    rng = np.random.default_rng(3)
    weights = {g: float(rng.uniform(-2, 2)) for g in net.connection_innovations}
    assert_close_in_ulps(python_outputs(net, inputs5, weights=weights), engine_outputs(wann, path, inputs5, tmp_path, weights=weights))
    in_order = [weights[g] for g in net.connection_innovations]
    assert np.array_equal(python_outputs(net, inputs5, weights=in_order), python_outputs(net, inputs5, weights=weights))
    with pytest.raises(ValueError):
        net.act(inputs5[0], weights={})


def test_original_champions_agree(wann, root, tmp_path):
    rng = np.random.default_rng(11)
    swing = wann_h5.Network.from_original(root / "reference/original-champions/swing.out", inputs=5, outputs=1)
    x = rng.normal(0, 1, size=(40, 5))
    assert_close_in_ulps(python_outputs(swing, x, 0.8), engine_outputs(wann, str(root / "reference/original-champions/swing.out"), x, tmp_path, 0.8))
    biped = wann_h5.Network.from_original(root / "reference/original-champions/biped.out", inputs=24, outputs=4)
    x = rng.normal(0, 1, size=(40, 24))
    assert biped.output_count == 4 and biped.stored_weights
    assert_close_in_ulps(python_outputs(biped, x, -1.5),
                         engine_outputs(wann, str(root / "reference/original-champions/biped.out"), x, tmp_path, -1.5, task="biped"))


def test_network_checks_its_inputs(run_archive):
    net = wann_h5.Network.from_archive(run_archive)
    with pytest.raises(ValueError):
        net.act([0.0, 1.0])
    with pytest.raises(ValueError):
        wann_h5.Network(pd.DataFrame({"id": [0, 1, 2], "kind": ["bias", "hidden", "hidden"], "activation": [1, 1, 1]}),
                        pd.DataFrame({"innovation": [0, 1], "source": [1, 2], "target": [2, 1], "enabled": [True, True],
                                      "recurrent": [False, False]}))
    assert "inputs" in repr(net)


def test_to_torch_matches_numpy(run_archive, inputs5, tmp_path):
    torch = pytest.importorskip("torch")
    net = wann_h5.Network.from_archive(run_archive)
    module = net.to_torch(weight=0.7)
    out = module(torch.tensor(inputs5)).detach().numpy()
    for row, o in zip(inputs5, out, strict=True):
        net.reset()
        assert np.allclose(net.act(row, 0.7), o, rtol=1e-12, atol=1e-12)
    loss = module(torch.tensor(inputs5)).sum()
    loss.backward()
    assert module.weight.grad is not None
