"""The playground in a real browser (Chromium): the page is the real engine's, works offline,
and its controls act on the very Playground object.  Speed is only checked loosely here (the
benchmark measures it: python -m benchmarks.playground)."""

import time

import pytest

import autograd
import nn
import optim
from tests.conftest import needs_dot

pytestmark = needs_dot


@pytest.fixture
def served():
    pg = nn.Playground("moons", seed=0)
    server = pg.serve(port=0, open_browser=False, block=False)
    yield pg, server
    server.close()


def ready(page, frames=1):
    page.wait_for_function(f"Number(document.querySelector('.cr-playground').dataset.frames) >= {frames}", timeout=10000)


def frames(page):
    return int(page.evaluate("document.querySelector('.cr-playground').dataset.frames"))


def graph_state(page):
    """Each record's position and its data and grad texts, from the computation graph panel."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.cr-graph-holder g.node')].map(g => {
             const texts = [...g.querySelectorAll('text')];
             return [g.id, {x: texts[0] && texts[0].getAttribute('x'), y: texts[0] && texts[0].getAttribute('y'),
                            numbers: texts.map(t => t.textContent).filter(t => /^(data|grad) /.test(t)).join(' ')}];
           }))"""
    )


def test_step_is_exactly_one_step_of_the_plain_loop_and_the_graph_keeps_its_layout(served, page_of):
    pg, server = served
    page = page_of(server.url, 1366, 768)
    ready(page)
    for name in ("decision surface", "network", "computation graph", "loss"):
        assert page.get_by_role("region", name=name).is_visible(), name
    twin = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    twin.load_state_dict(pg.model.state_dict())
    opt = optim.Adam(twin.parameters(), lr=0.03)
    before = graph_state(page)
    page.get_by_role("button", name="Step").click()
    ready(page, 2)
    assert pg.steps == 1
    opt.zero_grad()
    loss = nn.binary_cross_entropy_with_logits(twin(autograd.batch(pg.X)), pg.y)
    loss.backward()
    opt.step()
    assert pg.history == [loss.data] and pg.model.state_dict() == twin.state_dict()
    assert f"{loss.data:.4g}"[:5] in page.get_by_role("region", name="loss").inner_text()
    after = graph_state(page)
    assert set(after) == set(before) and len(after) > 20
    assert all((after[k]["x"], after[k]["y"]) == (before[k]["x"], before[k]["y"]) for k in after)  # nothing moved
    assert sum(after[k]["numbers"] != before[k]["numbers"] for k in after) > 10  # the numbers did
    assert page.errors == [] and page.outside == []


def test_play_trains_live_and_pause_stops(served, page_of):
    pg, server = served
    page = page_of(server.url, 1920, 1080)
    ready(page)
    page.get_by_role("button", name="Play").click()
    start_steps, start_frames, t0 = pg.steps, frames(page), time.perf_counter()
    page.wait_for_timeout(1500)
    seconds = time.perf_counter() - t0
    steps_per_second = (pg.steps - start_steps) / seconds
    redraws_per_second = (frames(page) - start_frames) / seconds
    assert steps_per_second > 5 and redraws_per_second > 2  # loose: the benchmark measures the real rate
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(300)
    stopped = pg.steps
    page.wait_for_timeout(500)
    assert pg.steps == stopped and pg.history[-1] < pg.history[0]
    assert page.errors == [] and page.outside == []


def test_clicking_the_surface_adds_a_point_where_it_was_clicked(served, page_of):
    pg, server = served
    page = page_of(server.url)
    ready(page)
    plane = page.locator("canvas.cr-plane")
    x0, x1 = float(plane.get_attribute("data-x-min")), float(plane.get_attribute("data-x-max"))
    y0, y1 = float(plane.get_attribute("data-y-min")), float(plane.get_attribute("data-y-max"))
    box = plane.bounding_box()
    n = len(pg.X)
    page.mouse.click(box["x"] + 0.02 * box["width"], box["y"] + 0.97 * box["height"])  # near the bottom-left corner
    ready(page, 2)
    assert len(pg.X) == n + 1
    x, y = pg.X[-1]
    assert abs(x - (x0 + 0.02 * (x1 - x0))) < 0.02 * (x1 - x0) and abs(y - (y1 - 0.97 * (y1 - y0))) < 0.02 * (y1 - y0)
    assert page.errors == []
