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
# # The lesson: backpropagation, loss functions, optimisers
#
# The three programs of the lesson, on this library, with pictures: a 2 → 3 → 2 → 1 network
# learning (and its backward pass as an animation), how confidence affects the loss, and a
# race between SGD, Momentum and Adam.

# %%
import numpy as np

import nn
from autograd import Value, animate_backward, batch
from optim import SGD, Adam, Momentum

# %% [markdown]
# ## 1. Train a 3-layer network and watch error flow backwards
#
# The lesson's data: label 1 when x₁ + x₂ > 1. Its weights start from `np.random.seed(42)`,
# `randn · 0.5` for each matrix, biases at zero; `W1[k, j]` is the weight from input k to
# neuron j of the first layer.

# %%
X, Y = nn.data.lesson_data()


def lesson_network():
    model = nn.MLP(2, [3, 2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    np.random.seed(42)
    state = {}
    for i, (n_in, n_out) in enumerate([(2, 3), (3, 2), (2, 1)]):
        W = np.random.randn(n_in, n_out) * 0.5
        for j in range(n_out):
            for k in range(n_in):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = W[k, j]
            state[f"layers.{i}.neurons.{j}.b"] = 0.0
    model.load_state_dict(state)
    return model


model = lesson_network()
loss = nn.mse_loss(model(X[0]), Y[0])
loss.label = "loss"
print(f"sample 1: x = {X[0]}, label {Y[0]}, loss before training {loss.data:.4f}")

# %% [markdown]
# The backward pass for that one sample, before training (when the gradients are large
# enough to see). Step through it: error flows from the loss back to every weight.

# %%
animate_backward(loss, compact=True)

# %% [markdown]
# Now train on all eight points with plain gradient descent, lr = 1, for 2000 epochs.

# %%
model = lesson_network()
opt = SGD(model.parameters(), lr=1.0)
curve = []
for epoch in range(2000):
    opt.zero_grad()
    loss = nn.mse_loss(model(batch(X)), Y)  # all eight samples through one graph
    loss.backward()
    opt.step()
    curve.append(loss.data)
predictions = model(batch(X)).data
print("predicted:", np.round(predictions, 3), " labels:", Y)
print(f"accuracy {np.mean((predictions > 0.5) == Y):.0%}")
ax = nn.plots.plot_loss(curve)
ax.set_xlabel("epoch");

# %% [markdown]
# The long plateau at the start is the sigmoids sitting near 0.5 with small gradients;
# once the hidden units separate the two classes, the loss falls fast.
#
# ## 2. Loss functions: see how confidence affects loss
#
# For a true label of 1, a model predicting probability p pays (1 − p)² with MSE and −log p
# with cross-entropy. Their gradients tell training how hard to push: one batched pass over
# 199 values of p gives all of them.

# %%
ps = np.linspace(0.005, 0.995, 199)
curves = {}
for name, loss_fn in (("MSE", nn.mse_loss), ("cross-entropy", nn.binary_cross_entropy)):
    (p,) = batch(ps, requires_grad=True)  # we want the gradient of the prediction itself
    loss_fn(p, np.ones(len(ps))).backward()  # a mean over samples: ∂/∂pᵢ is sample i's gradient / n
    curves[name] = ([loss_fn(Value(x), 1.0).data for x in ps], p.grad * len(ps))

import matplotlib.pyplot as plt  # noqa: E402

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
for name, (values, grads) in curves.items():
    left.plot(ps, values, label=name)
    right.plot(ps, grads, label=name)
left.set_title("loss, true label 1")
right.set_title("gradient ∂loss/∂p")
right.set_ylim(-20, 1)
for ax in (left, right):
    ax.set_xlabel("predicted probability p")
    ax.legend()
    ax.grid(alpha=0.3)

# %% [markdown]
# A confident wrong prediction (p = 0.05) costs cross-entropy 3.0 and pushes with gradient −20;
# MSE charges 0.9 and pushes with −1.9. That is why classifiers train with cross-entropy.
#
# ## 3. The optimiser race
#
# First the lesson's 1-D race: minimise (x − 3)² from x = 0 with lr = 0.1.

# %%
def bowl_1d(x):
    return (x - 3) ** 2


paths = {}
for name, make in (("SGD", lambda p: SGD(p, lr=0.1)), ("Momentum", lambda p: Momentum(p, lr=0.1, momentum=0.9)),
                   ("Adam", lambda p: Adam(p, lr=0.1))):
    x = Value(0.0, "x")
    opt = make([x])
    path = [x.data]
    for _ in range(50):
        opt.zero_grad()
        bowl_1d(x).backward()
        opt.step()
        path.append(x.data)
    paths[name] = path
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, path in paths.items():
    ax.plot(path, label=name)
ax.axhline(3, color="black", linewidth=0.8, linestyle="--")
ax.set_xlabel("step")
ax.set_ylabel("x")
ax.legend();

# %% [markdown]
# SGD closes 20% of the distance each step. Momentum gathers speed, overshoots and swings.
# Adam moves about lr per step whatever the gradient's size, so it needs ~30 steps to cover 3.
#
# Now in 2-D, on an elongated bowl f(x, y) = (x − 3)² + 10(y − 1)²: steep in y, shallow in x.

# %%
def bowl(x, y):
    return (x - 3) ** 2 + 10 * (y - 1) ** 2


paths = {}
for name, make in (("SGD, lr 0.09", lambda p: SGD(p, lr=0.09)),
                   ("Momentum, lr 0.01", lambda p: Momentum(p, lr=0.01, momentum=0.9)),
                   ("Adam, lr 0.15", lambda p: Adam(p, lr=0.15))):
    x, y = Value(0.0, "x"), Value(3.0, "y")
    opt = make([x, y])
    path = [(x.data, y.data)]
    for _ in range(40):
        opt.zero_grad()
        bowl(x, y).backward()
        opt.step()
        path.append((x.data, y.data))
    paths[name] = path
nn.plots.plot_optimizer_paths(bowl, paths, bounds=(-0.5, 4.0, -0.6, 3.4), minimum=(3.0, 1.0));

# %% [markdown]
# SGD zigzags across the steep direction while it creeps along the shallow one; Momentum
# swings wide; Adam scales each coordinate's step by its own gradient history, so it heads
# diagonally at about lr per step in both x and y.
