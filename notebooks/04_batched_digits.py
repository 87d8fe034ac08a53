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
# # Batched mode on real data: handwritten digits
#
# scikit-learn ships 1,797 small images of handwritten digits (8×8 pixels, no download).
# `MLP(64, [32, 10])` learns to read them. The graph you would draw for one image runs once
# for a whole minibatch: each node holds a column, one value per image; a weight's gradient
# is the sum of its column.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import nn
from autograd import batch, no_grad
from optim import Adam

digits = load_digits()
X, y = digits.data / 16.0, digits.target
order = np.random.default_rng(0).permutation(len(X))
train, test = order[:1437], order[1437:]
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, i in zip(axes, range(8)):
    ax.imshow(X[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(y[i]))
    ax.axis("off")

# %% [markdown]
# ## The same model, per sample and batched, side by side
#
# One epoch over 320 training images in minibatches of 32, first image by image, then in
# batched mode, from the same starting weights.

# %%
def one_epoch(model, rows, batched):
    opt = Adam(model.parameters(), lr=0.01)
    start = time.perf_counter()
    for lo in range(0, len(rows), 32):
        chunk = rows[lo : lo + 32]
        if batched:
            loss = nn.cross_entropy(model(batch(X[chunk])), y[chunk])
        else:
            loss = nn.cross_entropy([model(list(x)) for x in X[chunk]], [int(c) for c in y[chunk]])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - start, loss.data


rows = train[:320]
per_sample = nn.MLP(64, [32, 10], seed=0)
batched_model = nn.MLP(64, [32, 10], seed=0)
t_scalar, loss_scalar = one_epoch(per_sample, rows, batched=False)
t_batched, loss_batched = one_epoch(batched_model, rows, batched=True)
print(f"per sample: {t_scalar:.2f} s, last loss {loss_scalar:.12f}")
print(f"batched:    {t_batched:.2f} s, last loss {loss_batched:.12f}   ({t_scalar / t_batched:.0f}× faster)")
same = max(abs(a.data - b.data) for a, b in zip(per_sample.parameters(), batched_model.parameters()))
print(f"largest difference between the two models' weights: {same:.1e}")

# %% [markdown]
# ## Training in batched mode
#
# Ten epochs over all 1,437 training images, about a second.

# %%
model = nn.MLP(64, [32, 10], seed=0)
opt = Adam(model.parameters(), lr=0.01)
rng = np.random.default_rng(0)


def accuracy(model, rows):
    with no_grad():
        logits = model(batch(X[rows]))
    return np.mean(np.argmax([v.data for v in logits], axis=0) == y[rows])


history = []
start = time.perf_counter()
for epoch in range(10):
    shuffled = rng.permutation(train)
    for lo in range(0, len(shuffled), 32):
        chunk = shuffled[lo : lo + 32]
        loss = nn.cross_entropy(model(batch(X[chunk])), y[chunk])
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.data)
print(f"{time.perf_counter() - start:.1f} s for 10 epochs; test accuracy {accuracy(model, test):.1%}")
nn.plots.plot_loss(history, log=False).set_xlabel("minibatch");

# %% [markdown]
# ## What it gets wrong

# %%
with no_grad():
    predicted = np.argmax([v.data for v in model(batch(X[test]))], axis=0)
wrong = test[predicted != y[test]][:10]
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(1.2 * max(len(wrong), 1), 1.6), squeeze=False)
for ax, i in zip(axes[0], wrong):
    ax.imshow(X[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{y[i]} → {predicted[list(test).index(i)]}", fontsize=9)
    ax.axis("off")
