"""What the app drives: a controller owns (or follows) a render and turns user actions into engine commands."""
