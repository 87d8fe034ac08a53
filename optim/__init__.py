"""optim: optimisers that update Values from their gradients, schedules, clipping.

>>> from autograd import Value
>>> from optim import SGD
>>> x = Value(0.0)
>>> opt = SGD([x], lr=0.1)
>>> for _ in range(3):
...     opt.zero_grad()
...     loss = (x - 3) ** 2
...     loss.backward()
...     opt.step()
>>> round(x.data, 4)          # 0 → 0.6 → 1.08 → 1.464
1.464

Reading order: ``optimizer.py`` (the base), ``sgd.py``, ``adam.py``, ``rmsprop.py``,
``schedules.py``, ``clip.py``.
"""

from .adam import Adam, AdamW
from .clip import clip_grad_norm
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import CosineAnnealingLR, ExponentialLR, FunctionLR, LambdaLR, LinearLR, LRScheduler, StepLR
from .sgd import SGD, Momentum

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Adam",
    "AdamW",
    "RMSprop",
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "LambdaLR",
    "FunctionLR",
    "clip_grad_norm",
]
