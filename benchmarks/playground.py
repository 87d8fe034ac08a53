"""The live playground's speed, end to end in a real browser (Chromium via Playwright):

    python -m benchmarks.playground        # about 15 s

Serves the default ``nn.Playground()`` (moons, 100 points, MLP(2, [4, 4, 1]), Adam) on
127.0.0.1, presses Play in a headless Chromium at 1366×768 and counts, over a few seconds,
the training steps the page pulled and the times it redrew every panel.  Then it says where
the time of one round trip goes: the training steps, the state (the surface on a 40×40 grid,
the traced point's graph, the network), and what is left for the transport and the drawing.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time

import nn
from nn.playground.session import Session

SECONDS = 5.0


def python_side(repeats: int = 30) -> tuple[float, float]:
    """Median seconds of one training step, and of building one state, in this process."""
    session = Session(nn.Playground())
    session.handle({"type": "hello"})
    steps, states = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        session.pg.step(1)
        t1 = time.perf_counter()
        json.dumps(session.state())
        states.append(time.perf_counter() - t1)
        steps.append(t1 - t0)
    return statistics.median(steps), statistics.median(states)


def in_the_browser(speed: str) -> tuple[float, float]:
    """(steps per second, redraws per second) while playing, at ``speed`` steps per frame."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import BROWSER_ARGS, chromium_path

    pg = nn.Playground()
    with pg.serve(open_browser=False, block=False) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.url)
        page.wait_for_function("Number(document.querySelector('.cr-playground').dataset.frames) >= 1")
        page.select_option("select[aria-label='steps per frame']", speed)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(1000)  # warm up
        frames = lambda: int(page.evaluate("document.querySelector('.cr-playground').dataset.frames"))  # noqa: E731
        s0, f0, t0 = pg.steps, frames(), time.perf_counter()
        page.wait_for_timeout(SECONDS * 1000)
        seconds = time.perf_counter() - t0
        result = ((pg.steps - s0) / seconds, (frames() - f0) / seconds)
        page.get_by_role("button", name="Pause").click()
        browser.close()
    return result


def main() -> None:
    if shutil.which("chromium") is None:
        sys.exit("needs Chromium: sudo apt-get install -y chromium (and pip install playwright)")
    step, state = python_side()
    print(f"playground (default model, 100 points), Python side: one step {step * 1e3:.2f} ms, one state "
          f"{state * 1e3:.2f} ms")
    print(f"{'steps per frame':>16}{'steps/s':>10}{'redraws/s':>11}   target: ≥ 20 steps/s, ≥ 10 redraws/s")
    for speed in ("1", "2", "5"):
        steps, redraws = in_the_browser(speed)
        round_trip = 1 / redraws if redraws else float("inf")
        python = int(speed) * step + state
        print(f"{speed:>16}{steps:>10.1f}{redraws:>11.1f}   a round trip {round_trip * 1e3:.0f} ms: Python "
              f"{python * 1e3:.0f} ms, transport and drawing {max(0.0, round_trip - python) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
