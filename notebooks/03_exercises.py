# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises
#
# Each exercise has a cell for your code and a checker cell that says **pass** or **not yet**.
# If you are stuck, the solution is further down; run it and the checker again.

# %%
import math

import numpy as np

import nn
from autograd import GradcheckError, Value, gradcheck


def check(name, test):
    """Run ``test()``; print pass, or not yet with the reason."""
    try:
        test()
    except (AssertionError, GradcheckError, NotImplementedError, TypeError, ValueError) as problem:
        print(f"{name}: not yet — {type(problem).__name__}: {str(problem).splitlines()[0]}")
        return False
    print(f"{name}: pass")
    return True

# %% [markdown]
# ## Exercise 1: your own operation
#
# Write `cube(x)`, the operation x³, as ONE node with the public constructor
# `Value(data, parents=(...), local_grads=(...), op="name")`. Its local derivative is 3x².

# %%
def cube(x: Value) -> Value:
    raise NotImplementedError("write cube(x) here")

# %%
def test_cube():
    out = cube(Value(2.0))
    assert out.data == 8.0, f"cube(2) should be 8, got {out.data}"
    assert out.op and len(out.parents) == 1, "cube should be one node with one parent"
    gradcheck(cube, [0.7])  # compares your derivative with finite differences


check("exercise 1", test_cube);

# %% [markdown]
# ## Exercise 2: a planted bug
#
# Here is `softsign(x) = x / (1 + |x|)`, whose derivative is 1 / (1 + |x|)². The rule below has
# a bug. Run the checker to see `gradcheck` catch it, then fix `softsign_fixed`.

# %%
def softsign(x: Value) -> Value:
    s = 1.0 + abs(x.data)
    return Value(x.data / s, parents=(x,), local_grads=(1.0 / s,), op="softsign")  # the bug: not squared


try:
    gradcheck(softsign, [0.8])
except GradcheckError as caught:
    print(f"gradcheck caught the bug:\n{caught}")


def softsign_fixed(x: Value) -> Value:
    raise NotImplementedError("fix softsign here")

# %%
check("exercise 2", lambda: gradcheck(softsign_fixed, [0.8]) and gradcheck(softsign_fixed, [-1.7]));

# %% [markdown]
# ## Exercise 3: a loss of your own
#
# Write the *log-cosh* loss, mean over samples of log(cosh(pᵢ − tᵢ)): smooth like MSE near 0,
# linear like MAE far away. Its gradient is tanh(pᵢ − tᵢ)/n. Build it as one node with the
# public constructor (as `nn`'s own losses are) or from Value operations.

# %%
def log_cosh_loss(preds: list, targets: list) -> Value:
    raise NotImplementedError("write the log-cosh loss here")

# %%
def test_log_cosh():
    preds, targets = [Value(0.5), Value(-2.0), Value(3.0)], [0.0, 1.0, 3.5]
    loss = log_cosh_loss(preds, targets)
    d = np.array([p.data for p in preds]) - np.array(targets)
    assert math.isclose(loss.data, np.mean(np.log(np.cosh(d))), rel_tol=1e-9), "the value is off"
    loss.backward()
    np.testing.assert_allclose([p.grad for p in preds], np.tanh(d) / 3, rtol=1e-9, err_msg="the gradient is off")


check("exercise 3", test_log_cosh);

# %% [markdown]
# ---
# ## Solutions
#
# Try first. Then run these cells: every checker should say pass.

# %%
def cube(x: Value) -> Value:  # noqa: F811 - the solution replaces the stub
    """x³;  d/dx x³ = 3x²."""
    return Value(x.data**3, parents=(x,), local_grads=(3 * x.data**2,), op="cube")


def softsign_fixed(x: Value) -> Value:  # noqa: F811
    """x / (1 + |x|);  d/dx = 1 / (1 + |x|)²."""
    s = 1.0 + abs(x.data)
    return Value(x.data / s, parents=(x,), local_grads=(1.0 / s**2,), op="softsign")


def log_cosh_loss(preds: list, targets: list) -> Value:  # noqa: F811
    """(1/n) Σ log cosh(pᵢ − tᵢ);  ∂L/∂pᵢ = tanh(pᵢ − tᵢ)/n."""
    n = len(preds)
    diffs = [p.data - t for p, t in zip(preds, targets)]
    value = sum(math.log(math.cosh(d)) for d in diffs) / n
    return Value(value, parents=tuple(preds), local_grads=tuple(math.tanh(d) / n for d in diffs), op="log_cosh")


results = [check("exercise 1", test_cube),
           check("exercise 2", lambda: gradcheck(softsign_fixed, [0.8]) and gradcheck(softsign_fixed, [-1.7])),
           check("exercise 3", test_log_cosh)]
assert all(results)

# %% [markdown]
# Your operations work with everything else: train with your loss, draw your nodes.

# %%
from autograd import draw_dot  # noqa: E402

x = Value(1.2, "x")
y = softsign_fixed(cube(x))
y.label = "y"
y.backward()
draw_dot(y, local_grads=True)
