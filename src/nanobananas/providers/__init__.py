"""Image providers behind one interface: the built-in engine, cloud models, and a fake for tests."""
