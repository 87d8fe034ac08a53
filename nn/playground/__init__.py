"""Watch a network learn, live: ``nn.Playground``, driven by the real engine.

``pg = nn.Playground(data="moons")`` holds a dataset, a model, a loss and an optimiser; each
``pg.step()`` is one plain training step in batched mode.  The page (``static/playground.js``,
one ES module) only draws: the decision surface, the network with its weights, the traced
datapoint's computation graph as ``draw_dot`` draws it (laid out once, its numbers updated each
step), and the loss.  It asks for the next steps when it has drawn the last ones, so the
kernel stays free and nothing needs a thread.  In Jupyter the page is a widget (the anywidget
convention, see ``widget.py``); ``pg.serve()`` or ``python -m nn.playground`` serves the same
module from 127.0.0.1 (``server.py``).
"""

from .core import DATASETS, Playground

__all__ = ["Playground", "DATASETS"]
