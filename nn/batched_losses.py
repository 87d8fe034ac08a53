"""The losses on batched predictions: each is the batched twin of the loss of the same name
in ``losses.py``, with the same formula and gradient computed with NumPy over the samples.

A batched prediction is one ``Batched`` Value (a column: one prediction per sample); for
``cross_entropy`` the list of batched class scores a model returns.  Each loss is still ONE
node, a scalar Value (the mean over the samples), built with the public constructor: its
local derivative towards the prediction is an array, one entry per sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Value, ieee
from autograd.batching import Batched, columns, sigmoid


class LossOp(str):
    """A loss's op name (equal to the plain name: ``loss.op == "mse_loss"``) that also carries the
    loss's targets, so that a drawing of the loss can show what it compared the predictions with."""

    targets: float | np.ndarray


def loss_op(name: str, targets: object) -> LossOp:
    op = LossOp(name)
    values = np.asarray(targets, dtype=float).ravel()
    op.targets = float(values[0]) if values.size == 1 else values
    return op


# Overflow in a loss gives inf (a diverging run shows it, as torch does), without NumPy's warnings.
_ieee = np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _diffs(pred: Batched, targets: list[float]) -> tuple[np.ndarray, int]:
    return pred.data - np.asarray(targets, dtype=float), len(targets)


@_ieee
def mse_loss(pred: Batched, targets: list[float]) -> Value:
    """(1/n) Σ (pᵢ − tᵢ)²;  ∂L/∂pᵢ = 2(pᵢ − tᵢ)/n.  Twin of losses.mse_loss."""
    d, n = _diffs(pred, targets)
    return Value(ieee.fsum(d * d) / n, parents=(pred,), local_grads=(2.0 * d / n,), op=loss_op("mse_loss", targets))


@_ieee
def mae_loss(pred: Batched, targets: list[float]) -> Value:
    """(1/n) Σ |pᵢ − tᵢ|;  ∂L/∂pᵢ = sign(pᵢ − tᵢ)/n (0 where equal).  Twin of losses.mae_loss."""
    d, n = _diffs(pred, targets)
    return Value(
        ieee.fsum(np.abs(d)) / n, parents=(pred,), local_grads=(np.sign(d) / n,), op=loss_op("mae_loss", targets)
    )


@_ieee
def huber_loss(pred: Batched, targets: list[float], delta: float) -> Value:
    """½d² if |d| < δ else δ(|d| − ½δ), averaged;  ∂L/∂pᵢ = clamp(dᵢ, −δ, δ)/n.  Twin of
    losses.huber_loss."""
    d, n = _diffs(pred, targets)
    terms = np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))
    return Value(
        ieee.fsum(terms) / n,
        parents=(pred,),
        local_grads=(np.clip(d, -delta, delta) / n,),
        op=loss_op("huber_loss", targets),
    )


@_ieee
def binary_cross_entropy(prob: Batched, targets: list[float]) -> Value:
    """−(1/n) Σ [t log p + (1 − t) log(1 − p)], logs clamped at −100;
    ∂L/∂pᵢ = (pᵢ − tᵢ)/max(pᵢ(1 − pᵢ), 10⁻¹²)/n.  Twin of losses.binary_cross_entropy."""
    p, t, n = prob.data, np.asarray(targets, dtype=float), len(targets)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log1p(-p), -100.0)
    terms = (t - 1.0) * log_1mp - t * log_p
    grads = (p - t) / np.maximum((1.0 - p) * p, 1e-12) / n
    return Value(ieee.fsum(terms) / n, parents=(prob,), local_grads=(grads,), op=loss_op("binary_cross_entropy", t))


@_ieee
def binary_cross_entropy_with_logits(logit: Batched, targets: list[float]) -> Value:
    """(1/n) Σ [max(x, 0) − x·t + log(1 + e^(−|x|))];  ∂L/∂xᵢ = (σ(xᵢ) − tᵢ)/n.  Twin of
    losses.binary_cross_entropy_with_logits."""
    x, t, n = logit.data, np.asarray(targets, dtype=float), len(targets)
    terms = np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))
    grads = (sigmoid(x) - t) / n
    return Value(
        ieee.fsum(terms) / n, parents=(logit,), local_grads=(grads,), op=loss_op("binary_cross_entropy_with_logits", t)
    )


@_ieee
def hinge_loss(score: Batched, targets: list[float]) -> Value:
    """(1/n) Σ max(0, 1 − yᵢsᵢ);  ∂L/∂sᵢ = −yᵢ/n where the margin is violated.  Twin of
    losses.hinge_loss."""
    y, n = np.asarray(targets, dtype=float), len(targets)
    margins = 1.0 - y * score.data
    violated = margins > 0.0
    grads = np.where(violated, -y / n, 0.0)
    return Value(ieee.fsum(margins[violated]) / n, parents=(score,), local_grads=(grads,), op=loss_op("hinge_loss", y))


@_ieee
def cross_entropy(logits: Sequence[Value], classes: np.ndarray) -> Value:
    """For each sample: logsumexp(x) − x_c, averaged;  ∂L/∂xⱼ = (softmax(x)ⱼ − [j = c])/n.
    ``logits`` holds one batched Value per class.  Twin of losses.cross_entropy."""
    X = columns(logits)  # classes × samples
    n = X.shape[1]
    m = X.max(axis=0)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(all="ignore"):
        exps = np.exp(X - m)
        total = exps.sum(axis=0)
        terms = m + np.log(total) - X[classes, np.arange(n)]
        probs = exps / total
    onehot = np.zeros_like(X)
    onehot[classes, np.arange(n)] = 1.0
    grads = tuple((probs - onehot) / n)
    return Value(ieee.fsum(terms) / n, parents=tuple(logits), local_grads=grads, op=loss_op("cross_entropy", classes))


def batched_prediction(func: str, preds: object) -> Batched | None:
    """The batched prediction in ``preds`` (a Batched Value, or a list holding just one), or None
    when ``preds`` is per-sample; several batched predictions are a mistake said clearly."""
    if isinstance(preds, Batched):
        return preds
    if isinstance(preds, (list, tuple)) and any(isinstance(p, Batched) for p in preds):
        if len(preds) == 1:
            return preds[0]
        raise ValueError(
            f"{func}() got a list of {len(preds)} batched predictions; in batched mode a prediction is one "
            "batched Value holding every sample (the model's output for autograd.batch(X))"
        )
    return None
