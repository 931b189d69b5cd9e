"""Models of the feedback app (built in its own issue)."""
