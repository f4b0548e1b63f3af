"""The activation functions by id, as the engine and the original release number them."""
from __future__ import annotations

from enum import IntEnum


class Activation(IntEnum):
    """Activation ids 1...11 of the original release (an `int`: `Activation.TANH == 5`).
    `Activation.of(5)` and `Activation.of("tanh")` both give `TANH`; an id or name this package
    does not know raises ValueError instead of passing through as something else."""

    LINEAR = 1
    STEP = 2
    SIN = 3  # sin(pi x)
    GAUSSIAN = 4  # exp(-x^2 / 2)
    TANH = 5
    SIGMOID = 6  # (tanh(x / 2) + 1) / 2
    INVERSE = 7  # -x
    ABS = 8
    RELU = 9
    COS = 10  # cos(pi x)
    SQUARE = 11

    @property
    def label(self) -> str:
        """The engine's short name ("linear", "sin", "abs", ...), as configs and drawings write it."""
        return self.name.lower()

    @classmethod
    def of(cls, value) -> Activation:
        """An activation from its id (int, NumPy integer or digit string) or its name."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower()
        try:
            return cls(int(text))
        except ValueError:
            pass
        for member in cls:
            if member.label == text:
                return member
        known = ", ".join(f"{m.value}={m.label}" for m in cls)
        raise ValueError(f"unknown activation {value!r} (known: {known})")


#: id -> the engine's short name, for tables (derived from `Activation`).
ACTIVATION_NAMES = {a.value: a.label for a in Activation}
