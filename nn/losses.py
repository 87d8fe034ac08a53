"""Loss functions: PyTorch's formulas with mean reduction, each ONE node in the graph.

Every loss takes predictions (Values or numbers; numbers become constants) and targets
(numbers), checks that they match in length, and returns one Value whose parents are the
predictions and whose local derivatives are computed exactly, in the same place as the
loss.  Each is built with the public constructor ``Value(loss, parents=…, local_grads=…,
op=…)``: the same one you use to add an operation of your own.  Each docstring gives the
loss and its gradient ∂L/∂pᵢ for a batch of n.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from autograd import Value, ieee, is_batched
from autograd.engine import NUMBER_TYPES, as_float, type_name
from autograd.fused import as_values, shifted_exps

from . import batched_losses
from .batched_losses import batched_prediction, loss_op

Preds = Sequence[Value | float] | Value | float
Targets = Sequence[float] | float


def _batch(func: str, preds: Preds, targets: Targets) -> tuple[list[Value], list[float]]:
    """Predictions as Values and targets as floats, one each per sample, equal in number.

    Targets may be a column of shape (n, 1), as the lesson writes them
    (``np.array([[1], [0], …])``): it is read as n targets.
    """
    if isinstance(preds, (Value, *NUMBER_TYPES)):  # one sample need not be a list
        preds = [preds]
    ps = as_values(preds, func, "preds")
    return ps, _targets(func, targets, len(ps))


def _targets(func: str, targets: Targets, n: int) -> list[float]:
    """``targets`` as n floats: a number, a sequence, a 1-D array or an (n, 1) column."""
    if isinstance(targets, NUMBER_TYPES):
        targets = [targets]
    if isinstance(targets, (str, bytes, Value)) or not hasattr(targets, "__len__"):
        raise TypeError(f"{func}() targets must be a sequence of numbers; got {type_name(targets)}")
    if isinstance(targets, (set, frozenset, dict)):
        raise TypeError(
            f"{func}() targets must be a sequence (a list, tuple or array) in the order of the predictions; got a "
            f"{type_name(targets)}, which has no order"
        )
    column: Sequence | np.ndarray = targets
    if not isinstance(column, np.ndarray) and any(isinstance(t, (list, tuple, np.ndarray)) for t in column):
        column = np.asarray(column, dtype=object)  # nested lists: a column, or a mistake said below
    if isinstance(column, np.ndarray) and column.ndim != 1:
        if column.ndim == 2 and column.shape[1] == 1:
            column = column[:, 0]
        else:
            raise ValueError(
                f"{func}() targets must be one number per sample: a 1-D sequence or an (n, 1) column; "
                f"got an array of shape {column.shape}"
            )
    if isinstance(column, np.ndarray) and column.dtype.kind in "biuf":
        ts = column.astype(float).tolist()  # numbers already: no need to check them one by one
    else:
        ts = [as_float(t, f"{func}() targets[{i}]") for i, t in enumerate(column)]
    if n != len(ts):
        raise ValueError(f"{func}() got {n} predictions but {len(ts)} targets")
    return ts


def _check_probabilities(probs: Sequence[float] | np.ndarray, targets: list[float]) -> None:
    """binary_cross_entropy's inputs: probabilities and targets in [0, 1] (ValueError naming the first that is not)."""
    for name, values in (("probs", probs), ("targets", targets)):
        outside = np.flatnonzero(~((np.asarray(values) >= 0.0) & (np.asarray(values) <= 1.0)))
        if outside.size:
            raise ValueError(f"binary_cross_entropy() {name}[{outside[0]}] = {values[outside[0]]} is not in [0, 1]")


def _check_signs(targets: list[float]) -> None:
    """hinge_loss's targets: each +1 or −1."""
    for i, y in enumerate(targets):
        if y not in (1.0, -1.0):
            raise ValueError(f"hinge_loss() targets must be +1 or -1; targets[{i}] is {y}")


def mse_loss(preds: Preds, targets: Targets) -> Value:
    """Mean squared error: L = (1/n) Σ (pᵢ − tᵢ)²;  ∂L/∂pᵢ = 2(pᵢ − tᵢ)/n."""
    if (batched := batched_prediction("mse_loss", preds)) is not None:
        return batched_losses.mse_loss(batched, _targets("mse_loss", targets, len(batched.data)))
    ps, ts = _batch("mse_loss", preds, targets)
    n = len(ps)
    diffs = [p.data - t for p, t in zip(ps, ts)]
    loss = ieee.fsum([d * d for d in diffs]) / n
    return Value(loss, parents=tuple(ps), local_grads=tuple(2.0 * d / n for d in diffs), op=loss_op("mse_loss", ts))


def mae_loss(preds: Preds, targets: Targets) -> Value:
    """Mean absolute error (PyTorch's l1_loss): L = (1/n) Σ |pᵢ − tᵢ|;
    ∂L/∂pᵢ = sign(pᵢ − tᵢ)/n, and 0 where pᵢ = tᵢ."""
    if (batched := batched_prediction("mae_loss", preds)) is not None:
        return batched_losses.mae_loss(batched, _targets("mae_loss", targets, len(batched.data)))
    ps, ts = _batch("mae_loss", preds, targets)
    n = len(ps)
    diffs = [p.data - t for p, t in zip(ps, ts)]
    grads = tuple((1.0 if d > 0 else -1.0 if d < 0 else 0.0 * d) / n for d in diffs)
    return Value(
        ieee.fsum([abs(d) for d in diffs]) / n, parents=tuple(ps), local_grads=grads, op=loss_op("mae_loss", ts)
    )


def huber_loss(preds: Preds, targets: Targets, delta: float = 1.0) -> Value:
    """Huber loss: with dᵢ = pᵢ − tᵢ, each term is ½dᵢ² if |dᵢ| < δ, else δ(|dᵢ| − ½δ);
    L is their mean.  ∂L/∂pᵢ = clamp(dᵢ, −δ, δ)/n: quadratic near 0, linear (robust to
    outliers) beyond δ."""
    delta = as_float(delta, "huber_loss() delta")
    if not delta > 0:
        raise ValueError(f"huber_loss() delta must be > 0; got {delta}")
    if (batched := batched_prediction("huber_loss", preds)) is not None:
        return batched_losses.huber_loss(batched, _targets("huber_loss", targets, len(batched.data)), delta)
    ps, ts = _batch("huber_loss", preds, targets)
    n = len(ps)
    diffs = [p.data - t for p, t in zip(ps, ts)]
    terms = [0.5 * d * d if abs(d) < delta else delta * (abs(d) - 0.5 * delta) for d in diffs]
    grads = tuple(min(max(d, -delta), delta) / n for d in diffs)
    return Value(ieee.fsum(terms) / n, parents=tuple(ps), local_grads=grads, op=loss_op("huber_loss", ts))


def binary_cross_entropy(probs: Preds, targets: Targets) -> Value:
    """Binary cross-entropy on probabilities pᵢ ∈ [0, 1] and targets tᵢ ∈ [0, 1]:

        L = −(1/n) Σ [tᵢ·log pᵢ + (1 − tᵢ)·log(1 − pᵢ)],  each log clamped at −100 (PyTorch)
        ∂L/∂pᵢ = (pᵢ − tᵢ) / max(pᵢ(1 − pᵢ), 10⁻¹²) / n

    The clamps keep a confident wrong prediction (p = 0 for t = 1) finite: loss 100.
    Prefer ``binary_cross_entropy_with_logits`` on raw scores: it is exact everywhere.
    """
    if (batched := batched_prediction("binary_cross_entropy", probs)) is not None:
        ts = _targets("binary_cross_entropy", targets, len(batched.data))
        _check_probabilities(batched.data, ts)
        return batched_losses.binary_cross_entropy(batched, ts)
    ps, ts = _batch("binary_cross_entropy", probs, targets)
    _check_probabilities([p.data for p in ps], ts)
    n = len(ps)
    terms, grads = [], []
    for p, t in zip(ps, ts):
        x = p.data
        log_p = max(ieee.log(x), -100.0)
        log_1mp = max(math.log1p(-x) if x < 1.0 else -math.inf, -100.0)
        terms.append((t - 1.0) * log_1mp - t * log_p)
        grads.append((x - t) / max((1.0 - x) * x, 1e-12) / n)
    return Value(
        ieee.fsum(terms) / n, parents=tuple(ps), local_grads=tuple(grads), op=loss_op("binary_cross_entropy", ts)
    )


def binary_cross_entropy_with_logits(logits: Preds, targets: Targets) -> Value:
    """Binary cross-entropy on raw scores xᵢ, with p = σ(x) folded in (stable for any x):

    L = (1/n) Σ [max(xᵢ, 0) − xᵢ·tᵢ + log(1 + e^(−|xᵢ|))]
    ∂L/∂xᵢ = (σ(xᵢ) − tᵢ)/n
    """
    if (batched := batched_prediction("binary_cross_entropy_with_logits", logits)) is not None:
        return batched_losses.binary_cross_entropy_with_logits(
            batched, _targets("binary_cross_entropy_with_logits", targets, len(batched.data))
        )
    xs, ts = _batch("binary_cross_entropy_with_logits", logits, targets)
    n = len(xs)
    terms = [max(x.data, 0.0) - x.data * t + math.log1p(math.exp(-abs(x.data))) for x, t in zip(xs, ts)]
    grads = tuple((ieee.sigmoid(x.data) - t) / n for x, t in zip(xs, ts))
    return Value(
        ieee.fsum(terms) / n, parents=tuple(xs), local_grads=grads, op=loss_op("binary_cross_entropy_with_logits", ts)
    )


def cross_entropy(logits: Sequence, targets: int | Sequence[int]) -> Value:
    """Cross-entropy of class scores: for one sample with logits x and class c,

        L = −log softmax(x)_c = logsumexp(x) − x_c,   ∂L/∂xⱼ = softmax(x)ⱼ − [j = c]

    For a batch (a list of logit lists and a list of classes), the mean over samples, each
    gradient divided by n.  Shifted by the maximum, so logits of ±1000 are fine.
    """
    if isinstance(logits, (list, tuple)) and any(is_batched(x) for x in logits):
        return _batched_cross_entropy(logits, targets)
    single = isinstance(targets, (int, np.integer)) and not isinstance(targets, (bool, np.bool_))
    if single:
        logits, targets = [logits], [targets]  # type: ignore[list-item]  # targets is an int here
    if isinstance(logits, (str, bytes, Value)) or not isinstance(logits, (Sequence, np.ndarray)):
        raise TypeError(
            f"cross_entropy() logits must be a list of scores (or a list of such lists); got {type_name(logits)}"
        )
    if isinstance(targets, (str, bytes)) or not isinstance(targets, (Sequence, np.ndarray)):
        raise TypeError(f"cross_entropy() targets must be an int class or a list of them; got {type_name(targets)}")
    if len(logits) != len(targets):
        raise ValueError(f"cross_entropy() got {len(logits)} samples of logits but {len(targets)} targets")
    if len(logits) == 0:
        raise ValueError("cross_entropy() got an empty batch")
    n = len(logits)
    parents, grads, terms = [], [], []
    n_classes = None
    for i, (row, c) in enumerate(zip(logits, targets)):
        xs = as_values(row, "cross_entropy", f"logits[{i}]" if not single else "logits")
        if n_classes is None:
            n_classes = len(xs)
        elif len(xs) != n_classes:
            raise ValueError(f"cross_entropy() logits[{i}] has {len(xs)} classes, logits[0] has {n_classes}")
        c = _class_index(c, n_classes)
        data = [x.data for x in xs]
        m, exps, total = shifted_exps(data)
        terms.append(m + ieee.log(total) - data[c])
        parents += xs
        grads += [(ieee.div(e, total) - (1.0 if j == c else 0.0)) / n for j, e in enumerate(exps)]
    return Value(
        ieee.fsum(terms) / n, parents=tuple(parents), local_grads=tuple(grads), op=loss_op("cross_entropy", targets)
    )


def hinge_loss(scores: Preds, targets: Targets) -> Value:
    """Max-margin (hinge) loss, micrograd's: targets yᵢ = ±1,

    L = (1/n) Σ max(0, 1 − yᵢ·sᵢ),   ∂L/∂sᵢ = −yᵢ/n where 1 − yᵢsᵢ > 0, else 0
    """
    if (batched := batched_prediction("hinge_loss", scores)) is not None:
        ys = _targets("hinge_loss", targets, len(batched.data))
        _check_signs(ys)
        return batched_losses.hinge_loss(batched, ys)
    ss, ys = _batch("hinge_loss", scores, targets)
    _check_signs(ys)
    n = len(ss)
    margins = [1.0 - y * s.data for s, y in zip(ss, ys)]
    grads = tuple(-y / n if m > 0.0 else 0.0 for m, y in zip(margins, ys))
    return Value(
        ieee.fsum([m for m in margins if m > 0.0]) / n,
        parents=tuple(ss),
        local_grads=grads,
        op=loss_op("hinge_loss", ys),
    )


def _class_index(c: object, n_classes: int) -> int:
    """A target class as an int in [0, n_classes), or a ``ValueError`` saying what is wrong with it.
    A whole float such as 1.0 (labels read from a float array) is that class, in both forms."""
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer, float, np.floating)):
        raise ValueError(f"cross_entropy() target {c!r} is a {type_name(c)}, not a class index (an int)")
    if isinstance(c, (float, np.floating)) and not float(c).is_integer():
        raise ValueError(
            f"cross_entropy() target {c!r} is not a whole number: a class index is an int in [0, {n_classes})"
        )
    if not 0 <= c < n_classes:
        raise ValueError(f"cross_entropy() target {c!r} is not a class index in [0, {n_classes})")
    return int(c)


def _batched_cross_entropy(logits: Sequence[Value], targets: object) -> Value:
    """cross_entropy on the list of batched class scores a model returns, checked here."""
    n = len(next(x for x in logits if is_batched(x)).data)  # type: ignore[arg-type]
    classes: np.ndarray = np.array(_targets("cross_entropy", targets, n))  # type: ignore[arg-type]
    k = len(logits)
    bad = (classes != np.round(classes)) | ~(classes >= 0) | ~(classes < k)
    if np.any(bad):
        first = float(classes[bad][0])
        _class_index(int(first) if first.is_integer() else first, k)  # raises, saying what is wrong
    values = as_values(logits, "cross_entropy", "logits")
    return batched_losses.cross_entropy(values, classes.astype(int))
