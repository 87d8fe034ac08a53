"""Check the engine's gradients against central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from .engine import Value, as_float, no_grad


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with the numeric one."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> bool:
    """Compare ∂f/∂xᵢ from ``backward()`` with the central difference of every input.

    numeric ∂f/∂xᵢ ≈ (f(…, xᵢ + ε, …) − f(…, xᵢ − ε, …)) / 2ε,  error O(ε²)

    and they agree when |analytic − numeric| ≤ atol + rtol·|numeric| (a nan never agrees).
    ``f`` is called as ``f(*values)`` with one fresh leaf Value per input (the inputs you
    pass are not touched) and must return a Value.  Returns True when every input agrees;
    otherwise raises ``GradcheckError`` listing every input with both gradients.
    """
    if not callable(f):
        raise TypeError(f"gradcheck() f must be callable; got {type(f).__name__}")
    if isinstance(inputs, (Value, int, float)):
        inputs = [inputs]
    if isinstance(inputs, (str, bytes, set, frozenset)) or not isinstance(inputs, Iterable):
        raise TypeError(f"gradcheck() inputs must be a list of numbers or Values; got {type(inputs).__name__}")
    inputs = list(inputs)  # a generator is read once, here
    points = [x.data if isinstance(x, Value) else as_float(x, f"gradcheck() inputs[{i}]") for i, x in enumerate(inputs)]
    labels = [x.label if isinstance(x, Value) else "" for x in inputs]
    if not points:
        raise ValueError("gradcheck() got no inputs")
    if not (eps > 0.0 and math.isfinite(eps)):
        raise ValueError(f"gradcheck() eps must be a positive finite number; got {eps!r}")
    if not (atol >= 0.0 and rtol >= 0.0):
        raise ValueError(f"gradcheck() atol and rtol must be >= 0; got atol={atol!r}, rtol={rtol!r}")

    def leaves_at(xs: list[float]) -> list[Value]:
        return [Value(x, label) for x, label in zip(xs, labels)]

    def evaluate(leaves: list[Value]) -> Value:
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck() f must return a Value; got {type(out).__name__}")
        return out

    leaves = leaves_at(points)
    evaluate(leaves).backward()
    analytic = [leaf.grad for leaf in leaves]

    numeric = []
    with no_grad():
        for i, x in enumerate(points):
            plus, minus = list(points), list(points)
            plus[i], minus[i] = x + eps, x - eps
            # divide by the step actually taken, which rounding may make differ from 2ε
            numeric.append((evaluate(leaves_at(plus)).data - evaluate(leaves_at(minus)).data) / (plus[i] - minus[i]))

    bad = [not abs(a - n) <= atol + rtol * abs(n) for a, n in zip(analytic, numeric)]
    if any(bad):
        rows = [f"  {'input':<14}{'value':>14}{'analytic':>16}{'numeric':>16}{'|diff|':>12}"]
        for i, (x, a, n, wrong) in enumerate(zip(points, analytic, numeric, bad)):
            name = f"{i} ({labels[i]})" if labels[i] else str(i)
            mark = "  <-- mismatch" if wrong else ""
            rows.append(f"  {name:<14}{x:>14.6g}{a:>16.8g}{n:>16.8g}{abs(a - n):>12.3g}{mark}")
        raise GradcheckError(
            f"gradcheck failed for {sum(bad)} of {len(bad)} inputs "
            f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g}):\n" + "\n".join(rows)
        )
    return True
