"""Backpropagation through micrograd's README expression (placeholder for the lesson's
3-layer network, which arrives with the examples issue).

Run: python -m examples.backprop
"""

import argparse

from autograd import Value


def main(argv=None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    a = Value(-4.0, "a")
    b = Value(2.0, "b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    print(f"g = {g.data:.4f}   dg/da = {a.grad:.4f}   dg/db = {b.grad:.4f}")


if __name__ == "__main__":
    main()
