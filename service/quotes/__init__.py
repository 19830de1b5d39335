"""Quote search over HTTP: the engine wired to this install, and its routes."""
