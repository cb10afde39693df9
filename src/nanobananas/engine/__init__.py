"""The built-in offline image engine: guarded decoding, operations, planner, pipeline, renderers.

Nothing in this package imports Django, so it can be used, tested and benchmarked alone.
"""
