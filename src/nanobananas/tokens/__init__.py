"""Personal API tokens: hashed at rest, prefix shown, scoped, revocable, with a last-used time."""
