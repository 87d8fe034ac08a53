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
# # From here to PyTorch
#
# Everything in this library has a PyTorch counterpart with the same name and the same
# numbers. `nn.to_torch(model)` builds the same network as a `torch.nn.Sequential`, with our
# weights, so you can compare outputs and gradients number for number — the road for when
# you outgrow scalar graphs. PyTorch is optional (a large download: `pip install torch`);
# without it, the PyTorch cells below say so and step aside.

# %%
import numpy as np

import nn
from autograd import batch

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed here: pip install torch (the cells below that need it will skip).")

# %% [markdown]
# ## The same MLP in both worlds

# %%
model = nn.MLP(3, [8, 8, 2], activation="tanh", seed=0)
X = np.random.default_rng(0).normal(size=(5, 3))
targets = np.array([0, 1, 1, 0, 1])
ours = model(batch(X))
loss = nn.cross_entropy(ours, targets)
loss.backward()
print(model)
print("our logits:\n", np.array([o.data for o in ours]).T.round(6))

# %%
if torch is not None:
    twin = nn.to_torch(model)
    print(twin)
    theirs = twin(torch.from_numpy(X))
    torch_loss = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(targets))
    torch_loss.backward()
    print("largest difference in logits:", np.abs(theirs.detach().numpy() - np.array([o.data for o in ours]).T).max())
    print(f"loss: ours {loss.data:.15f}, torch {torch_loss.item():.15f}")
    ours_grad = np.array([[w.grad for w in n.w] for n in model.layers[0].neurons])
    print("largest difference in the first layer's weight gradients:",
          np.abs(twin[0].weight.grad.numpy() - ours_grad).max())
else:
    print("(skipped: PyTorch is not installed)")

# %% [markdown]
# ## What maps to what
#
# | here | PyTorch |
# |---|---|
# | `Value` (one number) | `torch.Tensor` (an array of them) |
# | `v.backward()`, `v.grad` | `t.backward()`, `t.grad` |
# | `autograd.batch(X)` and a model | `model(torch.tensor(X))` |
# | `nn.MLP(3, [8, 8, 2], "tanh")` | `Sequential(Linear(3, 8), Tanh(), Linear(8, 8), Tanh(), Linear(8, 2))` |
# | `nn.cross_entropy(logits, targets)` | `F.cross_entropy(logits, targets)` |
# | `optim.Adam(model.parameters(), lr=0.01)` | `torch.optim.Adam(model.parameters(), lr=0.01)` |
# | `no_grad()` | `torch.no_grad()` |
#
# ## One training step in both

# %%
from optim import Adam  # noqa: E402

opt = Adam(model.parameters(), lr=0.01)
opt.step()  # the gradients computed above
if torch is not None:
    torch_opt = torch.optim.Adam(twin.parameters(), lr=0.01)
    torch_opt.step()
    after = np.array([[w.data for w in n.w] for n in model.layers[0].neurons])
    print("largest difference in the first layer's weights after one Adam step:",
          np.abs(twin[0].weight.detach().numpy() - after).max())
else:
    print("(skipped: PyTorch is not installed)")
