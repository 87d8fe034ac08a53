"""Compare MSE and cross-entropy: see how confidence affects the loss, and its gradient.

Part 1, regression: the lesson's predictions of 3, 5, 7, 9 scored by MSE, MAE and Huber.
Part 2, classification: binary cross-entropy for a confident-right, an unsure and a
confident-wrong prediction of a true label 1, with the gradient that training would
follow, both with respect to the probability p and to the raw score (logit) behind it.

Run: python -m examples.loss_functions
"""

from __future__ import annotations

import argparse
import math

import nn
from autograd import Value

ACTUAL = [3.0, 5.0, 7.0, 9.0]
PREDICTED = [2.8, 5.3, 6.5, 9.2]
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


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    print("=== Regression losses ===")
    print(f"actual    {ACTUAL}\npredicted {PREDICTED}\n")
    notes = {"MSE": "squares errors: penalises big ones", "MAE": "every unit of error costs the same",
             "Huber": "MSE near 0, MAE beyond delta = 1"}
    print(f"{'loss':<6}{'value':>8}   ∂loss/∂prediction")
    for name, value, grads in regression_table():
        print(f"{name:<6}{value:>8.4f}   [{', '.join(f'{g:+.3f}' for g in grads)}]   ({notes[name]})")

    print("\n=== Binary cross-entropy, true label 1 ===")
    print(f"{'prediction':<19}{'p':>6}{'loss':>9}{'∂loss/∂p':>11}{'∂loss/∂logit':>14}")
    rows = classification_table()
    for case, prob, loss, d_p, d_logit in rows:
        print(f"{case:<19}{prob:>6.2f}{loss:>9.4f}{d_p:>11.3f}{d_logit:>14.3f}")
    (_, _, right_loss, right_dp, _), *_, (_, _, wrong_loss, wrong_dp, _) = rows
    print(f"\nThe confidently wrong prediction costs {wrong_loss / right_loss:.0f}× the confident right one, and"
          f"\nits gradient is {wrong_dp / right_dp:.0f}× as steep: cross-entropy pushes hardest where the model"
          "\nis most wrong. With respect to the logit the gradient is simply p − y, never steeper than 1.")


if __name__ == "__main__":
    main()
