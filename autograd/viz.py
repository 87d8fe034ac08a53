"""Graphviz drawings of a graph (placeholder until the draw_dot issue)."""


def draw_dot(root, rankdir="LR", max_nodes=500):
    raise NotImplementedError("draw_dot is not built yet")
