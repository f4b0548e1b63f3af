"""The PyTorch form of a `Network` (imported only by `Network.to_torch`, so torch stays optional)."""
from __future__ import annotations

import torch

from .activations import Activation
from .network import Network

_KERNELS = {
    Activation.LINEAR: lambda x: x,
    Activation.STEP: lambda x: (x > 0).to(x.dtype),
    Activation.SIN: lambda x: torch.sin(torch.pi * x),
    Activation.GAUSSIAN: lambda x: torch.exp(-(x * x) / 2.0),
    Activation.TANH: torch.tanh,
    Activation.SIGMOID: lambda x: (torch.tanh(x / 2.0) + 1.0) / 2.0,
    Activation.INVERSE: lambda x: -x,
    Activation.ABS: torch.abs,
    Activation.RELU: torch.relu,
    Activation.COS: lambda x: torch.cos(torch.pi * x),
    Activation.SQUARE: lambda x: x * x,
}


def _activate(activation: int, x: torch.Tensor) -> torch.Tensor:
    return _KERNELS[Activation.of(activation)](x)


class TorchNetwork(torch.nn.Module):
    """A WANN as a differentiable module: the shared weight (or every connection's weight) is a
    parameter, so gradient descent can tune what the search left shared."""

    def __init__(self, net: Network, individual_weights: bool = False, weight: float = 1.0):
        super().__init__()
        self.net = net
        self.individual = individual_weights
        if individual_weights:
            self.weights = torch.nn.Parameter(torch.full((len(net.connection_innovations),), float(weight), dtype=torch.float64))
        else:
            self.weight = torch.nn.Parameter(torch.tensor(float(weight), dtype=torch.float64))
        self.previous: torch.Tensor | None = None

    def reset(self) -> None:
        """Clears the recurrent state."""
        self.previous = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        net = self.net
        x = torch.as_tensor(x, dtype=torch.float64)
        if x.dim() == 1:
            x = x.unsqueeze(0)
        batch = x.shape[0]
        values = [torch.ones(batch, dtype=torch.float64)] + [x[:, i] for i in range(net.input_count)]
        previous = self.previous if self.previous is not None else torch.zeros(batch, len(net.previous), dtype=torch.float64)
        e, d, r = 0, net._feed_forward_count, 0
        for activation, sources, recurrent in zip(net.activations, net.sources, net.recurrent_sources, strict=True):
            total = torch.zeros(batch, dtype=torch.float64)
            if self.individual:
                for s in sources:
                    total = total + self.weights[e] * values[s]
                    e += 1
                for _ in recurrent:
                    total = total + self.weights[d] * previous[:, r]
                    d += 1
                    r += 1
            else:
                for s in sources:
                    total = total + values[s]
                for _ in recurrent:
                    total = total + previous[:, r]
                    r += 1
                total = self.weight * total
            values.append(_activate(activation, total))
        if len(net.previous):
            self.previous = torch.stack([values[s] for rec in net.recurrent_sources for s in rec], dim=1)
        return torch.stack([values[s] for s in net.output_slots], dim=1)
