"""The parts manager's workstation: server-rendered pages with a little JavaScript."""
