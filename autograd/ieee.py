"""Float arithmetic that follows IEEE 754 (and NumPy, and PyTorch) instead of raising.

Python's own float operations raise ``ZeroDivisionError``, ``OverflowError`` or a
math-domain ``ValueError`` exactly where IEEE arithmetic returns ``inf`` or ``nan``.
The engine computes through these helpers, so ``log(0)`` is ``-inf`` and ``1/0`` is
``inf`` in a graph, never an exception from deep inside a training loop.
"""

import math

import numpy as np

INF = math.inf
NAN = math.nan


def div(a: float, b: float) -> float:
    """a / b, with x/0 = ±inf (sign of x times sign of the zero) and 0/0 = nan."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:  # 0/0 and nan/0
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def exp(x: float) -> float:
    """e^x, with overflow giving inf."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^(−x)), PyTorch's formula.  Stable for any x: for x < −709 the
    exponential overflows to inf and σ is 1/inf = 0, with no cancellation anywhere."""
    return 1.0 / (1.0 + exp(-x))


def log(x: float) -> float:
    """ln x, with log(0) = -inf and log(x < 0) = nan."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN  # negative, or nan


def sqrt(x: float) -> float:
    """√x, with √(x < 0) = nan."""
    if x >= 0.0:
        return math.sqrt(x)
    return NAN


def pow(a: float, b: float) -> float:
    """a ** b as C/NumPy compute it: 0 ** -1 = inf, (-8) ** (1/3) = nan, overflow = ±inf.

    Python's ``**`` would return a complex number for a negative base and a fractional
    exponent; ``math.pow`` raises.  NumPy already has the IEEE answer for every such
    case, so the rare failures are handed to it.
    """
    try:
        return math.pow(a, b)
    except (ValueError, OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(a), np.float64(b)))


_SCALE_DOWN = 2.0**-64  # exact for every float above the subnormal range
_SCALE_UP = 2.0**64


def fsum(values) -> float:
    """Σ values exactly rounded (``math.fsum``), with IEEE overflow instead of exceptions.

    ``math.fsum`` raises ``OverflowError`` when a partial sum overflows (``[1e308, 1e308]``)
    and ``ValueError`` for ``inf + -inf``.  Here the first is summed again at a scale where
    nothing overflows, then scaled back (``inf`` only if the exact sum itself overflows), and
    the second is ``nan``, as IEEE (and NumPy, and PyTorch) give.  ``values`` is a sequence.
    """
    if isinstance(values, np.ndarray):
        values = values.tolist()  # Python floats: far quicker for fsum to read than NumPy scalars
    try:
        return math.fsum(values)
    except OverflowError:  # a float multiplication overflows to inf instead of raising
        return math.fsum([x * _SCALE_DOWN for x in values]) * _SCALE_UP
    except ValueError:  # +inf and -inf both present
        return NAN
