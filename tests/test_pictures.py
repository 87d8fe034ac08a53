"""Pictures that work in a classroom: no two texts of a drawing overlap (measured on Graphviz's
own layout, ``dot -Tjson``), every text scales with ``fontsize``, names follow the lesson, and
raster copies are sharp enough to project."""

import io
import itertools
import json
import re

import pytest

import autograd
import nn
from autograd import Value, draw_dot, save_graph
from examples.draw_graph import neuron, readme_expression
from tests.conftest import needs_dot

pytestmark = needs_dot


def text_boxes(drawing):
    """Every text Graphviz draws, as (x0, y0, x1, y1, text): from the layout's drawing operations
    (a "T" op: a text's anchor, alignment and width; the font size from the "F" op before it)."""
    laid_out = json.loads(drawing.pipe(format="json"))
    boxes = []

    def collect(ops):
        size = 14.0
        for op in ops or []:
            if op["op"] == "F":
                size = op["size"]
            elif op["op"] == "T":
                x, y = op["pt"]
                x0 = {"l": x, "c": x - op["width"] / 2, "r": x - op["width"]}[op["align"]]
                boxes.append((x0, y - 0.22 * size, x0 + op["width"], y + 0.78 * size, op["text"], size))

    collect(laid_out.get("_ldraw_"))
    for obj in laid_out.get("objects", []):
        collect(obj.get("_ldraw_"))
    for edge in laid_out.get("edges", []):
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            collect(edge.get(key))
    return boxes


def overlapping(boxes, tolerance=0.5):
    return [
        (a[4], b[4])
        for a, b in itertools.combinations(boxes, 2)
        if min(a[2], b[2]) - max(a[0], b[0]) > tolerance and min(a[3], b[3]) - max(a[1], b[1]) > tolerance
    ]


def chain_rule_picture():
    """Notebook 01's L = (a·b + c)·f, whose edge numbers used to sit on each other."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def lesson_network():
    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=0)
    loss = nn.mse_loss([model([0.5, -1.0])], [1.0])
    loss.backward()
    return loss


def backward_done(build):
    root = build()
    root.backward()
    return root


GRAPHS = {
    "chain rule (notebook 01)": (chain_rule_picture, {"local_grads": True}),
    "README expression": (lambda: backward_done(readme_expression), {}),
    "README neuron": (lambda: backward_done(neuron), {"local_grads": True, "compact": True}),
    "lesson network": (lesson_network, {"local_grads": True}),
    "lesson network, compact": (lesson_network, {"local_grads": True, "compact": True}),
    "a + a": (lambda: backward_done(lambda: Value(1.5, "a") + Value(1.5, "a")), {"local_grads": True}),
}


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("fontsize", [14, 24])
def test_no_two_texts_of_a_drawing_overlap(name, fontsize):
    build, options = GRAPHS[name]
    boxes = text_boxes(draw_dot(build(), fontsize=fontsize, **options))
    assert len(boxes) > 5
    assert overlapping(boxes) == [], name


def test_a_value_used_twice_gets_a_label_on_each_edge():
    a = Value(3.0, "a")
    y = a * a
    y.backward()
    labels = [t for *_, t, _ in text_boxes(draw_dot(y, local_grads=True)) if t == "3"]
    assert len(labels) == 2  # ∂(a·a)/∂a = a on both edges


def test_fontsize_scales_every_text_together():
    root = chain_rule_picture()
    small = sorted(size for *_, size in text_boxes(draw_dot(root, local_grads=True, fontsize=10)))
    large = sorted(size for *_, size in text_boxes(draw_dot(root, local_grads=True, fontsize=20)))
    assert len(small) == len(large) and all(abs(b - 2 * a) < 0.01 for a, b in zip(small, large))
    with pytest.raises(ValueError, match="fontsize"):
        draw_dot(root, fontsize=0)


def test_nn_drawings_name_what_the_lesson_names():
    loss = lesson_network()
    names = {t.strip() for *_, t, _ in text_boxes(draw_dot(loss))}
    for name in ("x₀", "x₁", "W1[0,2]", "b1[2]", "z1[0]", "a1[2]", "z2[1]", "a2[0]", "z3[0]", "L", "targets"):
        assert name in names, name
    assert not [n for n in names if n.startswith("v") and n[1:].isdigit()]  # no anonymous v22, v33
    unfused = nn.Neuron(2, "tanh", seed=0, fused=False)
    out = unfused([1.0, 2.0])
    assert {"z", "a"} <= {t.strip() for *_, t, _ in text_boxes(draw_dot(out))}


def test_inputs_and_each_layers_parameters_are_grouped():
    source = draw_dot(lesson_network()).source
    clusters = source.split("subgraph cluster_")[1:]
    groups = {}
    for cluster in clusters:
        found = re.search(r'label="([^"]*)"|label=(\S+)', cluster)
        label = found.group(1) or found.group(2)
        groups[label] = set(re.findall(r"^\s*(v\d+)$", cluster.split("}")[0], re.M))
    assert sorted(groups) == ["inputs", "layer 1 parameters", "layer 2 parameters", "layer 3 parameters"]
    assert [len(groups[g]) for g in sorted(groups)] == [2, 9, 8, 3]  # x₀ x₁; W1 and b1: 6 + 3; 6 + 2; 2 + 1


def test_png_copies_are_rendered_at_twice_the_screen_resolution(tmp_path):
    image = pytest.importorskip("PIL.Image")
    root = chain_rule_picture()
    path = save_graph(root, tmp_path / "g.png", local_grads=True)
    width_points = float(json.loads(draw_dot(root, local_grads=True).pipe(format="json"))["bb"].split(",")[2])
    with image.open(path) as png:
        # 192 dpi: 2× a 96-dpi screen (plus Graphviz's 4-point margin on each side)
        assert abs(png.width - (width_points + 8) * 192 / 72) < 4
    bundle = draw_dot(root)._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}  # a PNG where SVG is not shown
    assert image.open(io.BytesIO(bundle["image/png"])).format == "PNG"


def test_animation_sizes_stay_within_the_limits():
    loss = lesson_network()
    loss.grad = 0.0
    html = autograd.animate_backward(lesson_network()).to_html()
    assert len(html.encode()) <= 300_000  # the lesson network on one sample
    model = nn.MLP(3, [4, 4, 1], activation="tanh", seed=0, fused=False)
    big = nn.mse_loss([model([0.5, -1.0, 2.0])], [1.0])
    n = len(autograd.topological_order(big))
    assert 100 <= n <= 150
    assert len(autograd.animate_backward(big).to_html().encode()) <= 1_000_000
