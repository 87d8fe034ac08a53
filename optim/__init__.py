"""optim: optimisers for Values (being built)."""
