#!/usr/bin/env python3
"""Prints the table of sin(j/64) and cos(j/64) as double-doubles (j = 0..127) that the lane
environment's sin and cos use (Sources/CSwingUpLanes/lane_trig.h). Each entry is hi + lo with
hi the double nearest the true value and lo the double nearest the rest: about 107 bits. The
values come from Taylor series in Python's decimal arithmetic at 60 digits, so the table needs
nothing but the standard library to regenerate:

    python3 scripts/make_trig_table.py > Sources/CSwingUpLanes/lane_trig_table.h
"""
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60


def sin_cos(x: Decimal) -> tuple[Decimal, Decimal]:
    """sin x and cos x by their Taylor series (|x| < 2: the 80 terms end far below 10^-60)."""
    s = c = Decimal(0)
    term = Decimal(1)  # x^n / n!
    for n in range(80):
        if n % 4 == 0:
            c += term
        elif n % 4 == 1:
            s += term
        elif n % 4 == 2:
            c -= term
        else:
            s -= term
        term = term * x / (n + 1)
    return s, c


def double_double(v: Decimal) -> tuple[float, float]:
    exact = Fraction(v)
    hi = float(exact)
    lo = float(exact - Fraction(hi))
    return hi, lo


rows = []
for j in range(128):
    s, c = sin_cos(Decimal(j) / 64)
    rows.append(double_double(s) + double_double(c))
print("// sin(j/64) hi, lo, cos(j/64) hi, lo for j = 0..127 (scripts/make_trig_table.py).")
print("static const double lane_trig_table[128][4] = {")
for r in rows:
    print("  {" + ", ".join(x.hex() for x in r) + "},")
print("};")
