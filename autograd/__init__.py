"""autograd: a scalar automatic-differentiation engine for learning backpropagation.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad            # dy/dx = 2x + 3
7.0

Reading order: ``engine.py`` (Value, backward, no_grad), ``fused.py`` (sum, dot, softmax
…), ``gradcheck.py``, ``viz.py`` (draw_dot), ``steps.py`` (backward_steps),
``animation.py`` (animate_backward).
"""

from .animation import BackwardAnimation, animate_backward
from .batching import Batched, batch, batch_mean, batch_sum, is_batched
from .engine import Value, is_grad_enabled, no_grad, topological_order
from .extras import MissingExtra
from .fused import dot, log_softmax, logsumexp, mean, softmax, sum
from .gradcheck import GradcheckError, gradcheck
from .steps import BackwardStep, backward_steps
from .viz import GraphvizNotInstalled, draw_dot, save_graph

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "topological_order",
    "sum",
    "mean",
    "dot",
    "logsumexp",
    "softmax",
    "log_softmax",
    "gradcheck",
    "GradcheckError",
    "draw_dot",
    "save_graph",
    "GraphvizNotInstalled",
    "backward_steps",
    "BackwardStep",
    "animate_backward",
    "BackwardAnimation",
    "MissingExtra",
    "batch",
    "batch_sum",
    "batch_mean",
    "Batched",
    "is_batched",
]
