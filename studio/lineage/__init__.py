"""The work graph: how each work came from its parents."""
