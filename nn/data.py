"""Small datasets for learning: the lesson's data and micrograd's two moons.

Everything here is plain NumPy, so it works after ``pip install`` from anywhere, without
scikit-learn.
"""

from __future__ import annotations

import numpy as np

from autograd.engine import type_name

# The lesson's classification data: label 1 when x₁ + x₂ > 1 (its first point, 0.1 + 0.9, sums to
# exactly 1 and is labelled 1).
LESSON_X = np.array([[0.1, 0.9], [0.8, 0.4], [0.3, 0.2], [0.9, 0.8], [0.2, 0.5], [0.7, 0.6], [0.1, 0.1], [0.6, 0.9]])
LESSON_Y = np.array([1, 1, 0, 1, 0, 1, 0, 1])

# The lesson's regression numbers (loss functions): what was true, and what a model predicted.
LESSON_ACTUAL = np.array([3.0, 5.0, 7.0, 9.0])
LESSON_PREDICTED = np.array([2.8, 5.3, 6.5, 9.2])


def lesson_data() -> tuple[np.ndarray, np.ndarray]:
    """(X, y): the lesson's eight points and their labels (1 when x₁ + x₂ > 1), as copies."""
    return LESSON_X.copy(), LESSON_Y.copy()


def make_moons(
    n_samples: int = 100, *, shuffle: bool = True, noise: float | None = None, random_state: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as ``sklearn.datasets.make_moons``: for the same arguments
    it returns the same arrays, bit for bit, without needing scikit-learn.

    Returns X of shape (n_samples, 2) and labels y in {0, 1} (the upper moon is 0).  ``noise``
    is the standard deviation of Gaussian noise added to every coordinate; ``random_state``
    seeds NumPy's legacy ``RandomState``, as scikit-learn does, so its seeds give its data.
    micrograd's demo is ``make_moons(100, noise=0.1)`` with labels mapped to ±1 (``2 * y - 1``).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"make_moons() n_samples must be a positive int; got {n_samples!r}")
    if noise is not None and not (isinstance(noise, (int, float)) and noise >= 0):
        raise ValueError(f"make_moons() noise must be a number >= 0 or None; got {noise!r}")
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))):
        raise TypeError(f"make_moons() random_state must be an int or None; got {type_name(random_state)}")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    rng = np.random.RandomState(random_state)
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(outer), 1 - np.cos(inner)),
            np.append(np.sin(outer), 1 - np.sin(inner) - 0.5),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    if shuffle:
        order = np.arange(n_samples)
        rng.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y
