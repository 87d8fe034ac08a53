"""Draw computation graphs with the data and the gradient on every node.

Draws, after backward(), (1) micrograd's README expression, top to bottom so that it fits
a page, and (2) a two-input neuron o = tanh(x1·w1 + x2·w2 + b) with each edge's local
derivative, each to SVG and PNG; then animates the neuron's backward pass (HTML, and a GIF
when Pillow is installed).  Without Graphviz's `dot` program it writes the DOT source
instead and says how to install Graphviz.

Run: python -m examples.draw_graph [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograd import GraphvizNotInstalled, MissingExtra, Value, animate_backward, save_graph


def readme_expression() -> Value:
    """micrograd's README expression, each value labelled with the name the code gives it (each
    ``+=`` makes a new node, so the successive values of c are c, c′, c″); g.data ≈ 24.7041."""
    a = Value(-4.0, "a")
    b = Value(2.0, "b")
    c = a + b
    c.label = "c"
    d = a * b + b**3
    d.label = "d"
    c += c + 1
    c.label = "c′"
    c += 1 + c + (-a)
    c.label = "c″"
    d += d * 2 + (b + a).relu()
    d.label = "d′"
    d += 3 * d + (b - a).relu()
    d.label = "d″"
    e = c - d
    e.label = "e"
    f = e**2
    f.label = "f"
    g = f / 2.0
    g.label = "g"
    g += 10.0 / f
    g.label = "g′"
    return g


def neuron() -> Value:
    """A two-input tanh neuron, every intermediate labelled; o.data ≈ 0.7071."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")  # chosen so that tanh gives 1/√2
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Writes DIR/expression.{svg,png}, DIR/neuron.{svg,png} and DIR/neuron_backward.{html,gif}.",
    )
    parser.add_argument("--out", type=Path, default=Path("graphs"), help="output folder (default: graphs)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    written = []
    drawings = (
        ("expression", readme_expression, {"compact": True}),
        ("neuron", neuron, {"local_grads": True, "compact": True}),
    )
    for name, build, options in drawings:
        root = build()
        root.backward()
        print(f"{name}: {root.label} = {root.data:.4f} after backward()")
        try:
            written += [save_graph(root, args.out / f"{name}.{fmt}", **options) for fmt in ("svg", "png")]
        except GraphvizNotInstalled as missing:
            written.append(save_graph(root, args.out / f"{name}.dot", **options))
            print(f"(wrote DOT source only)\n{missing}")
    try:
        animation = animate_backward(neuron(), compact=True)
        written.append(animation.save(args.out / "neuron_backward.html"))
        written.append(animation.save(args.out / "neuron_backward.gif"))
    except (GraphvizNotInstalled, MissingExtra) as missing:
        print(f"(animation: {str(missing).splitlines()[0]})")
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main()
