"""draw_dot: assertions on the DOT source everywhere; real rendering where `dot` exists."""

import math
import os
import re
import subprocess
import sys

import graphviz
import pytest

from autograd import GraphvizNotInstalled, Value, draw_dot, save_graph
from tests.conftest import needs_dot

NODE = re.compile(r'^\s*(\w+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\S+))(.*)\]$', re.M)
EDGE = re.compile(r"^\s*(\w+) -> (\w+)", re.M)


def parse(source):
    """{name: (label, attributes)} and [(tail, head)] from DOT source."""
    nodes = {m.group(1): (m.group(2) or m.group(3), m.group(4)) for m in NODE.finditer(source)}
    return nodes, EDGE.findall(source)


def small_graph():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    d = (c + 1.0).tanh()  # 1.0 is a constant leaf
    d.label = "d"
    return a, b, c, d


def test_one_record_per_value_and_one_op_node_per_operation():
    a, b, c, d = small_graph()
    d.backward()
    nodes, edges = parse(draw_dot(d).source)
    records = {n: v for n, v in nodes.items() if "record" in v[1]}
    ops = {n: v for n, v in nodes.items() if "ellipse" in v[1]}
    assert len(nodes) == len(records) + len(ops)  # no other kinds of node
    assert len(records) == 6  # a, b, c, 1.0, c + 1, d
    assert sorted(label for label, _ in ops.values()) == ["*", "+", "tanh"]
    # every op node: edges in from each parent, one edge out to its result
    for op in ops:
        assert sum(1 for tail, head in edges if tail == op) == 1
        assert sum(1 for tail, head in edges if head == op) == (2 if nodes[op][0] in "*+" else 1)
    assert len(edges) == 2 + 2 + 1 + 3


def test_records_show_label_data_and_grad():
    a, b, c, d = small_graph()
    d.backward()
    source = draw_dot(d).source
    slope = 1 - math.tanh(-5.0) ** 2  # d tanh(c + 1)/dc at c = -6
    assert "{a | data 2 | grad %s}" % format(slope * -3.0, ".4g") in source
    assert "{b | data -3 | grad %s}" % format(slope * 2.0, ".4g") in source
    assert "{c | data -6 | grad %s}" % format(slope, ".4g") in source
    assert "{d | data %s | grad 1}" % format(math.tanh(-5.0), ".4g") in source
    assert "{v3 | const 1}" in source  # the constant: its value only, no gradient
    assert "{v4 | data -5 | grad %s}" % format(slope, ".4g") in source  # c + 1, unlabelled: a short name


def test_precision_and_special_values():
    x = Value(math.pi, "x")
    y = x * 1e6
    y.backward()
    assert "data 3.14159" in draw_dot(y, precision=6).source
    assert "data 3.142e+06" in draw_dot(y).source
    z = Value(-1.0).log() + Value(0.0).log()  # nan + -inf
    z.backward()
    source = draw_dot(z).source
    assert "data nan" in source and "data -inf" in source and "grad inf" in source
    assert "-0" not in draw_dot(Value(-0.0) * 1.0).source


def test_grads_not_yet_computed_are_not_shown_as_zero():
    *_, d = small_graph()
    source = draw_dot(d).source
    assert "grad —" in source and "grad 0" not in source
    assert "not computed" in source
    d.backward()
    assert "grad —" not in draw_dot(d).source


def test_leaves_look_different_and_output_is_marked():
    a, b, c, d = small_graph()
    nodes, _ = parse(draw_dot(d).source)
    by_label = {label: attrs for label, attrs in nodes.values()}
    leaf, computed, output = by_label["{a | data 2 | grad —}"], by_label["{c | data -6 | grad —}"], None
    output = next(attrs for label, attrs in nodes.values() if label.startswith("{d |"))
    assert "Mrecord" in leaf and "shape=record" in computed
    assert "peripheries=2" in output and "peripheries" not in computed and "peripheries" not in leaf
    assert re.search(r"fillcolor=\"?#d6e6f5", leaf) and re.search(r"fillcolor=\"?#ffffff", computed)


def test_labels_are_escaped():
    x = Value(1.0, 'a<b>|{c}"q"\\z')
    y = x * 2
    y.backward()
    source = draw_dot(y).source
    assert r"a\<b\>\|\{c\}\"q\"\\z | data 1" in source


def test_layout_direction():
    *_, d = small_graph()
    assert "rankdir=LR" in draw_dot(d).source
    tb = draw_dot(d, rankdir="TB").source
    assert "rankdir=TB" in tb and 'label="a | data 2' in tb  # no braces needed top-to-bottom
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(d, rankdir="sideways")


DETERMINISM = """
from autograd import Value, draw_dot
import autograd
a = Value(-4.0, "a"); b = Value(2.0, "b")
c = a + b; d = a * b + b**3; c += c + 1; e = autograd.sum([c, d, a]).tanh()
e.backward()
print(draw_dot(e).source)
"""


def test_source_is_identical_in_every_run():
    runs = [subprocess.run([sys.executable, "-c", DETERMINISM], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and "v0" in runs[0]


def test_max_nodes_refuses_big_graphs_with_a_helpful_message():
    x = Value(1.0)
    for _ in range(300):
        x = x + 1.0  # 601 Values
    with pytest.raises(ValueError, match=r"601 Values.*max_nodes=500.*max_nodes=601"):
        draw_dot(x)
    assert len(parse(draw_dot(x, max_nodes=601).source)[0]) == 601 + 300


def test_bad_arguments():
    with pytest.raises(TypeError, match="float"):
        draw_dot(1.0)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_nodes"):
            draw_dot(Value(1.0), max_nodes=bad)
    with pytest.raises(ValueError, match="precision"):
        draw_dot(Value(1.0), precision=0)
    with pytest.raises(ValueError, match="format"):
        save_graph(Value(1.0), "graph.jpeg2000")


def test_is_a_digraph_with_jupyter_display():
    diagram = draw_dot(Value(1.0))
    assert isinstance(diagram, graphviz.Digraph)
    assert hasattr(diagram, "_repr_mimebundle_")


def test_dot_source_file_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    *_, d = small_graph()
    path = save_graph(d, tmp_path / "g.dot")
    assert path.read_text() == draw_dot(d).source


def test_missing_dot_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, d = small_graph()
    for attempt in (lambda: draw_dot(d).pipe(format="svg"),
                    lambda: draw_dot(d).render(tmp_path / "g", format="png"),
                    lambda: save_graph(d, tmp_path / "g.svg")):
        with pytest.raises(GraphvizNotInstalled) as info:
            attempt()
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "conda install" in message
        assert isinstance(info.value, graphviz.ExecutableNotFound)


@needs_dot
def test_renders_svg_with_the_numbers(tmp_path):
    a, b, c, d = small_graph()
    d.backward()
    svg = draw_dot(d).pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "data &#45;6" in svg or "data -6" in svg
    assert "tanh" in svg


@needs_dot
def test_renders_escaped_labels_and_writes_files(tmp_path):
    x = Value(1.0, 'a<b>|{c}"q"')
    y = (x * 2).relu()
    y.backward()
    svg = draw_dot(y).pipe(format="svg", encoding="utf-8")
    assert "a&lt;b&gt;|{c}&quot;q&quot;" in svg
    png = save_graph(y, tmp_path / "y.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = draw_dot(y).render(tmp_path / "y", format="svg")
    assert os.path.exists(out) and out.endswith(".svg")
