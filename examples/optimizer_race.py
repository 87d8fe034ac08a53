"""Race SGD, Momentum and Adam to the minimum of f(x) = (x − 3)².

Each optimiser starts at x = 0 with lr = 0.1 (Adam: β₁ = 0.9, β₂ = 0.999, ε = 1e-8) and
follows the gradient that backward() computes through the graph of f.  On this round
bowl SGD wins: each step removes 20% of the remaining distance.  Momentum builds up speed,
overshoots past 3 and swings back and forth.  Adam moves about lr per step whatever the
size of the gradient, so it needs some 30 steps to cover the distance of 3, then
overshoots a little.  --more adds AdamW and RMSprop.

With matplotlib it also races them in 2-D, on the elongated bowl f(x, y) = (x − 3)² + 10(y − 1)²
from (0, 3), and saves their paths on its contour plot: SGD zigzags across the steep
direction (y) while it closes in along the shallow one, Momentum swings wide around the
minimum, and Adam, which scales each coordinate's step separately, moves in steps of about
lr in x and in y alike, then slows as its gradients shrink.

Run: python -m examples.optimizer_race [--steps N] [--every K] [--more] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from autograd import Value
from autograd.extras import MissingExtra, require
from nn.plots import plot_optimizer_paths
from optim import SGD, Adam, AdamW, Momentum, RMSprop

LR = 0.1
OPTIMIZERS = {
    "SGD": lambda x: SGD([x], lr=LR),
    "Momentum": lambda x: Momentum([x], lr=LR, momentum=0.9),
    "Adam": lambda x: Adam([x], lr=LR, betas=(0.9, 0.999), eps=1e-8),
}
MORE = {
    "AdamW": lambda x: AdamW([x], lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
    "RMSprop": lambda x: RMSprop([x], lr=LR, alpha=0.99, eps=1e-8),
}


def f(x: Value) -> Value:
    """f(x) = (x − 3)², minimum 0 at x = 3; f'(x) = 2(x − 3)."""
    return (x - 3) ** 2


def race(steps: int = 50, more: bool = False) -> dict[str, list[float]]:
    """{optimiser name: [x after step 1, 2, …, steps]}."""
    contestants = {**OPTIMIZERS, **(MORE if more else {})}
    paths = {}
    for name, make in contestants.items():
        x = Value(0.0, "x")
        opt = make(x)
        path = []
        for _ in range(steps):
            opt.zero_grad()
            f(x).backward()
            opt.step()
            path.append(x.data)
        paths[name] = path
    return paths


BOWL_LR = {"SGD": 0.09, "Momentum": 0.01, "Adam": 0.15, "AdamW": 0.15, "RMSprop": 0.05}


def bowl(x, y):
    """The elongated bowl f(x, y) = (x − 3)² + 10(y − 1)², minimum 0 at (3, 1)."""
    return (x - 3) ** 2 + 10 * (y - 1) ** 2


def race_2d(steps: int = 40, more: bool = False) -> dict[str, np.ndarray]:
    """{optimiser name: array of (x, y), the start then one point per step} on ``bowl``."""
    names = ["SGD", "Momentum", "Adam"] + (["AdamW", "RMSprop"] if more else [])
    makers = {"SGD": SGD, "Momentum": Momentum, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}
    paths = {}
    for name in names:
        x, y = Value(0.0, "x"), Value(3.0, "y")
        opt = makers[name]([x, y], lr=BOWL_LR[name])
        path = [(x.data, y.data)]
        for _ in range(steps):
            opt.zero_grad()
            bowl(x, y).backward()
            opt.step()
            path.append((x.data, y.data))
        paths[f"{name} (lr {BOWL_LR[name]:g})"] = np.array(path)
    return paths


def save_race_plot(paths: dict[str, np.ndarray], path: Path) -> Path:
    """The 2-D race; every path is shown whole (the bounds are the paths' own extent)."""
    plt = require("matplotlib.pyplot", "plots", "The optimiser race plot")
    ax = plot_optimizer_paths(bowl, paths, minimum=(3.0, 1.0))
    ax.set_title(
        "f(x, y) = (x − 3)² + 10(y − 1)², 40 steps from (0, 3)\n"
        "each optimiser at its own learning rate (in the legend): one lr that suits all three does not exist",
        fontsize=9,
    )
    ax.figure.set_size_inches(7.5, 5.2)
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=160)
    plt.close(ax.figure)
    return path


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="steps per optimiser (default 50)")
    parser.add_argument("--every", type=int, default=5, help="print every K-th step (default 5)")
    parser.add_argument("--more", action="store_true", help="add AdamW and RMSprop columns")
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to save the plot (default graphs/)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.every < 1:
        parser.error("--steps and --every must be at least 1")

    paths = race(args.steps, args.more)
    print("=== Optimiser race: finding x where (x − 3)² is smallest, from x = 0, lr = 0.1 ===")
    print(f"{'Step':>4}" + "".join(f"{name:>10}" for name in paths))
    for step in range(1, args.steps + 1):
        if step % args.every == 0 or step == 1:
            print(f"{step:>4}" + "".join(f"{path[step - 1]:>10.4f}" for path in paths.values()))
    print("\nDistance from the minimum after the last step:")
    for name, path in paths.items():
        print(f"  {name:<9} |x − 3| = {abs(path[-1] - 3):.2e}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        name = "optimizer_race_more.png" if args.more else "optimizer_race.png"  # --more never overwrites the three
        print(f"\nThe 2-D race on a contour plot: {save_race_plot(race_2d(more=args.more), args.out / name)}")
    except MissingExtra:
        print('\n(To save the 2-D race on a contour plot: pip install -e ".[plots]")')
    return paths


if __name__ == "__main__":
    main()
