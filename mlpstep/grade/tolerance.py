"""When a number as written is right.

By default an answer is right when every cell is within half a unit of the
last decimal place written (``0.40`` allows +-0.005, ``2`` allows +-0.5),
plus a few ulps for float representation, and also within MIN_RTOL of the
value (a precision floor: ``0`` is not a right answer for 0.298 however it is
rounded). ``rtol``/``atol`` replace both rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ULPS = 4 * np.finfo(np.float64).eps
"""Slack for float representation, relative to the larger of the two values."""
ROUNDING = 1e-12
"""Slack for rounding in the computation, relative to the largest value of the answer, for
numbers written with 10 or more significant digits (pasted from a program): two correct
float64 programs (this engine, PyTorch) differ by that much where terms cancel."""
MIN_RTOL = 0.005
"""The precision floor: besides being rounded right, an answer must be within this fraction of
the value (three significant digits), ..."""
FLOOR = 1e-6
"""... or within this fraction of the largest value of the same answer: a 0 for the 6.9e-13 beside
a 1 in the seed's a2 is right, a 0 for gradients of 4e-4 is not."""


@dataclass(frozen=True)
class Tolerance:
    """``rtol`` and ``atol`` None: the written-precision rule with the precision floor ``min_rtol``
    (0 turns the floor off); otherwise |given - expected| <= atol + rtol * |expected|."""

    rtol: float | None = None
    atol: float | None = None
    min_rtol: float = MIN_RTOL

    @property
    def written(self) -> bool:
        """Is this the written-precision rule?"""
        return self.rtol is None and self.atol is None

    def close(
        self, given: np.ndarray, expected: np.ndarray, half_units: np.ndarray, scale: float | None = None
    ) -> np.ndarray:
        """A boolean mask over the cells: is ``given`` within tolerance of ``expected``? ``scale`` is
        the largest value of the answer the floor's absolute part is relative to (by default the
        largest of ``expected``; for one entry, that of the whole value it belongs to)."""
        diff = np.abs(given - expected)
        if not self.written:
            return diff <= (self.atol or 0.0) + (self.rtol or 0.0) * np.abs(expected)
        magnitude = np.abs(expected)
        scale = magnitude.max(initial=0.0) if scale is None else scale
        floor = np.maximum(self.min_rtol * magnitude, FLOOR * scale) if self.min_rtol else np.inf
        inside = diff <= np.minimum(half_units, floor)
        if inside.all():  # within both everywhere: what the slack below adds cannot matter
            return inside
        pasted = half_units <= 1e-10 * np.abs(given)
        slack = ULPS * np.maximum(np.abs(given), magnitude) + pasted * ROUNDING * scale
        return (diff <= half_units * (1 + 1e-9) + slack) & (diff <= floor + slack)
