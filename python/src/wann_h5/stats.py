"""The engine's summary statistics, so that numbers computed here agree with what `wann` prints
to the last digit: the 95% t interval uses the same critical values (Sources/WANNCore/Statistics:
two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom, then 1.96 + 2.4 / df)."""
from __future__ import annotations

import numpy as np

# Two-sided 95% critical values of Student's t for 1...30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)


def t95(n: int) -> float:
    """Two-sided 95% Student t critical value for n samples (n - 1 degrees of freedom)."""
    df = n - 1
    if df < 1:
        return float("nan")
    return _T95[df - 1] if df <= len(_T95) else 1.96 + 2.4 / df


def mean_ci(values) -> tuple[float, float]:
    """Mean and half width of the 95% t interval (NaN width for fewer than two values)."""
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()) if len(v) else float("nan"), float("nan")
    return float(v.mean()), t95(len(v)) * float(v.std(ddof=1)) / np.sqrt(len(v))
