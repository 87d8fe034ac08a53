"""Compare MSE and cross-entropy: see how confidence affects the loss, and its gradient.

Part 1, regression: the lesson's predictions of 3, 5, 7, 9 scored by MSE, MAE and Huber.
Part 2, classification: binary cross-entropy for a confident-right, an unsure and a
confident-wrong prediction of a true label 1, with the gradient that training would
follow, both with respect to the probability p and to the raw score (logit) behind it.

With matplotlib it also plots, for a true label of 1, the loss and its gradient against the
predicted probability p for MSE and cross-entropy: MSE's gradient stays small even when the
model is confidently wrong, cross-entropy's grows without bound.

Run: python -m examples.loss_functions [--out DIR]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import nn
from autograd import Value, batch
from autograd.extras import MissingExtra, require

ACTUAL = nn.data.LESSON_ACTUAL.tolist()  # the lesson's regression numbers
PREDICTED = nn.data.LESSON_PREDICTED.tolist()
CASES = [("confident & right", 0.95), ("unsure", 0.5), ("confident & wrong", 0.05)]  # p(label = 1)


def regression_table() -> list[tuple[str, float, list[float]]]:
    """(name, loss, ∂loss/∂prediction for each prediction) for MSE, MAE and Huber."""
    rows = []
    for name, loss_fn in (("MSE", nn.mse_loss), ("MAE", nn.mae_loss), ("Huber", nn.huber_loss)):
        preds = [Value(p) for p in PREDICTED]
        loss = loss_fn(preds, ACTUAL)
        loss.backward()
        rows.append((name, loss.data, [p.grad for p in preds]))
    return rows


def classification_table() -> list[tuple[str, float, float, float]]:
    """(case, p, BCE loss, ∂loss/∂p, ∂loss/∂logit) for a true label of 1."""
    rows = []
    for case, prob in CASES:
        p = Value(prob)
        loss = nn.binary_cross_entropy(p, 1.0)
        loss.backward()
        logit = Value(math.log(prob / (1 - prob)))  # the score whose sigmoid is p
        loss_from_logit = nn.binary_cross_entropy_with_logits(logit, 1.0)
        loss_from_logit.backward()
        rows.append((case, prob, loss.data, p.grad, logit.grad))
    return rows


def confidence_curves(n: int = 199) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """p from 0.005 to 0.995, and for a true label 1 each loss and its gradient ∂loss/∂p at every
    p; the gradients come from one batched backward pass per loss (each sample a prediction)."""
    ps = np.linspace(0.005, 0.995, n)
    curves = {}
    for name, loss_fn in (("MSE", nn.mse_loss), ("cross-entropy", nn.binary_cross_entropy)):
        (p,) = batch(ps, requires_grad=True)  # the gradient of the prediction is what we plot
        loss_fn(p, np.ones(n)).backward()  # the mean over the samples: ∂/∂pᵢ is sample i's gradient / n
        values = np.array([loss_fn(Value(x), 1.0).data for x in ps])  # each sample's own loss
        curves[name] = (values, p.grad * n)
    return ps, curves


def save_confidence_plot(path: Path) -> Path:
    plt = require("matplotlib.pyplot", "plots", "The confidence plot")
    ps, curves = confidence_curves()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, (values, grads) in curves.items():
        left.plot(ps, values, label=name)
        right.plot(ps, grads, label=name)
    for case, prob in CASES:  # the three predictions the example prints, marked on both curves
        for ax, index in ((left, 0), (right, 1)):
            for values in curves.values():
                y = float(np.interp(prob, ps, values[index]))
                ax.plot(prob, max(y, -20), "o", color="black", markersize=4, zorder=3)
        left.annotate(
            case,
            (prob, float(np.interp(prob, ps, curves["cross-entropy"][0]))),
            textcoords="offset points",
            xytext=(4, 8),
            fontsize=9,
        )
    left.set_title("loss for a true label of 1")
    right.set_title("gradient ∂loss/∂p (clipped at −20)")
    right.set_ylim(-20, 1)
    for ax in (left, right):
        ax.set_xlabel("predicted probability p of label 1")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("See how confidence affects loss: cross-entropy punishes confident mistakes", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=160)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="where to save the plot (default graphs/)")
    args = parser.parse_args(argv)
    print("=== Regression losses ===")
    print(f"actual    {ACTUAL}\npredicted {PREDICTED}\n")
    notes = {
        "MSE": "squares errors: penalises big ones",
        "MAE": "every unit of error costs the same",
        "Huber": "MSE near 0, MAE beyond delta = 1",
    }
    print(f"{'loss':<6}{'value':>8}   ∂loss/∂prediction")
    for name, value, grads in regression_table():
        print(f"{name:<6}{value:>8.4f}   [{', '.join(f'{g:+.3f}' for g in grads)}]   ({notes[name]})")

    print("\n=== Binary cross-entropy, true label 1 ===")
    print(f"{'prediction':<19}{'p':>6}{'loss':>9}{'∂loss/∂p':>11}{'∂loss/∂logit':>14}")
    rows = classification_table()
    for case, prob, loss, d_p, d_logit in rows:
        print(f"{case:<19}{prob:>6.2f}{loss:>9.4f}{d_p:>11.3f}{d_logit:>14.3f}")
    (_, _, right_loss, right_dp, _), *_, (_, _, wrong_loss, wrong_dp, _) = rows
    print(
        f"\nThe confidently wrong prediction costs {wrong_loss / right_loss:.0f}× the confident right one, and"
        f"\nits gradient is {wrong_dp / right_dp:.0f}× as steep: cross-entropy pushes hardest where the model"
        "\nis most wrong. With respect to the logit the gradient is simply p − y, never steeper than 1."
    )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"\nLoss and gradient against confidence: {save_confidence_plot(args.out / 'confidence.png')}")
    except MissingExtra:
        print('\n(To plot loss and gradient against confidence: pip install -e ".[plots]")')


if __name__ == "__main__":
    main()
