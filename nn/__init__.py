"""nn: neurons, layers and MLPs on the autograd engine (being built)."""
