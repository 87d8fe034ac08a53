"""Every example runs (at a small size) and prints what the README says it prints."""

import math

from examples import draw_graph
from tests.conftest import needs_dot


def test_draw_graph_numbers():
    g = draw_graph.readme_expression()
    assert f"{g.data:.4f}" == "24.7041"
    o = draw_graph.neuron()
    o.backward()
    assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
    # do/dn = 1 − tanh², so every weight's gradient is 0.5 times its input
    leaves = {p.label: p for p in _leaves(o)}
    assert math.isclose(leaves["w1"].grad, 0.5 * 2.0) and math.isclose(leaves["x1"].grad, 0.5 * -3.0)
    assert math.isclose(leaves["w2"].grad, 0.0, abs_tol=1e-15) and math.isclose(leaves["b"].grad, 0.5)


def _leaves(root):
    from autograd import topological_order

    return [n for n in topological_order(root) if not n.parents]


@needs_dot
def test_draw_graph_writes_svg_and_png(tmp_path, capsys):
    written = draw_graph.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in written) == ["expression.png", "expression.svg", "neuron.png", "neuron.svg"]
    assert (tmp_path / "neuron.png").read_bytes()[:4] == b"\x89PNG"
    assert "o = 0.7071 after backward()" in capsys.readouterr().out


def test_draw_graph_without_dot_writes_source_and_explains(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    written = draw_graph.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in written) == ["expression.dot", "neuron.dot"]
    assert "apt-get install graphviz" in capsys.readouterr().out
