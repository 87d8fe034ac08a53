"""The playground in Jupyter: a widget in the anywidget convention (JupyterLab, Notebook, VS
Code, Colab), whose front end is ``static/playground.js`` and whose messages go to a
``Session``.  A still picture of the decision surface travels with it, so a notebook opened
where widgets do not run still shows something."""

from __future__ import annotations

import io
from pathlib import Path

from autograd.extras import require

from .session import Session

STATIC = Path(__file__).parent / "static"


def make_widget(playground):
    anywidget = require("anywidget", "notebooks", "The playground in Jupyter")

    class PlaygroundWidget(anywidget.AnyWidget):  # type: ignore[name-defined]
        _esm = STATIC / "playground.js"
        _css = STATIC / "playground.css"

        def __init__(self, session: Session) -> None:
            super().__init__()
            self.session = session
            self.on_msg(self._answer)

        def _answer(self, widget, content, buffers) -> None:
            self.send(self.session.handle(content))

    return PlaygroundWidget(Session(playground))


def still_png(playground) -> bytes | None:
    """The decision surface with the points, as a PNG (None without matplotlib)."""
    try:
        plt = require("matplotlib.pyplot", "plots", "The playground's still picture")
    except ModuleNotFoundError:
        return None
    from ..plots import plot_decision_boundary

    ax = plot_decision_boundary(playground.model, playground.X, playground.y, resolution=80)  # logit > 0: class 1
    ax.set_title(f"{playground.data_name}: step {playground.steps} (run the notebook for the live view)", fontsize=9)
    out = io.BytesIO()
    ax.figure.savefig(out, format="png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    return out.getvalue()


def display_playground(playground) -> None:
    """Show the live view, with the still picture beside it for viewers without widgets."""
    display = require("IPython.display", "notebooks", "The playground in Jupyter")
    widget = make_widget(playground)
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    data = {**data, "text/plain": repr(playground)}
    png = still_png(playground)
    if png is not None:
        data["image/png"] = png
    display.display(data, raw=True)
    playground._widget = widget  # kept alive with the playground
