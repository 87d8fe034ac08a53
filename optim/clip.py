"""Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

from .optimizer import check_hyperparameter


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale all gradients together so that their global L2 norm is at most ``max_norm``.

        ‖g‖ = √(Σᵢ gᵢ²)        if ‖g‖ > max_norm:  gᵢ ← gᵢ · max_norm / (‖g‖ + 10⁻⁶)

    Returns ‖g‖ before clipping (useful to log).  The direction of the update is kept; only
    its length is limited, which tames exploding gradients.  As PyTorch, the 10⁻⁶ keeps the
    division safe, and a non-finite norm is returned (``Optimizer.step`` then refuses it).
    """
    if isinstance(params, Value) or not isinstance(params, Iterable):
        raise TypeError(
            "clip_grad_norm() params must be an iterable of Values, e.g. model.parameters(); got "
            + type(params).__name__
        )
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"clip_grad_norm() params[{i}] is a {type(p).__name__}, not a Value")
    max_norm = check_hyperparameter("max_norm", max_norm)
    total = math.hypot(*(p.grad for p in params))  # overflow-safe √(Σ g²)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0 or math.isnan(scale):
        for p in params:
            p.grad *= scale
    return total
