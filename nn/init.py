"""Weight initialisation schemes, by name.

Each scheme draws a layer's weights W (nout × nin) and biases b (nout) from a NumPy
``Generator``:

=============  ===========================================  ==========================
name           weights                                       bias
=============  ===========================================  ==========================
"pytorch"      U(−1/√nin, 1/√nin)  (torch.nn.Linear)          U(−1/√nin, 1/√nin)
"micrograd"    U(−1, 1)                                       0
"uniform"      U(−1, 1)                                       U(−1, 1)
"xavier"       U(−a, a), a = √(6 / (nin + nout))  (Glorot)    0
"he"           U(−a, a), a = √(6 / nin)  (Kaiming, for ReLU)  0
=============  ===========================================  ==========================

The default is "pytorch": it keeps each neuron's pre-activation at a similar scale
whatever the number of inputs, and it is what a learner moving to PyTorch will meet.
micrograd's U(−1, 1) grows the pre-activation with √nin, which saturates tanh and sigmoid
in wide layers.  "micrograd" is karpathy/micrograd's ``nn.py`` (bias 0); "uniform" is the
``Neuron`` of the lecture "building micrograd", whose bias is drawn like its weights.
"""

from __future__ import annotations

import math

import numpy as np

Seed = int | np.random.Generator | None


def _pytorch(rng, nin, nout):
    bound = 1.0 / math.sqrt(nin)
    return rng.uniform(-bound, bound, (nout, nin)), rng.uniform(-bound, bound, nout)


def _micrograd(rng, nin, nout):
    return rng.uniform(-1.0, 1.0, (nout, nin)), np.zeros(nout)


def _uniform(rng, nin, nout):
    return rng.uniform(-1.0, 1.0, (nout, nin)), rng.uniform(-1.0, 1.0, nout)


def _xavier(rng, nin, nout):
    bound = math.sqrt(6.0 / (nin + nout))
    return rng.uniform(-bound, bound, (nout, nin)), np.zeros(nout)


def _he(rng, nin, nout):
    bound = math.sqrt(6.0 / nin)
    return rng.uniform(-bound, bound, (nout, nin)), np.zeros(nout)


SCHEMES = {"pytorch": _pytorch, "micrograd": _micrograd, "uniform": _uniform, "xavier": _xavier, "he": _he}


def generator(seed: Seed) -> np.random.Generator:
    """A NumPy Generator from an int seed, a Generator (used as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be an int >= 0 (NumPy's seeds are non-negative); got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy.random.Generator or None; got {type(seed).__name__}")


def initial_weights(init: str, rng: np.random.Generator, nin: int, nout: int) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) for a layer of ``nout`` neurons with ``nin`` inputs each."""
    if not isinstance(init, str) or init not in SCHEMES:
        raise ValueError(f"unknown init {init!r}; valid names are: {', '.join(map(repr, SCHEMES))}")
    return SCHEMES[init](rng, nin, nout)
