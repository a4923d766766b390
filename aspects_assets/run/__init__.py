"""Orchestration: the steps of each command, wiring the project's files, the core
and a Superset client. The only code besides `superset/` and `cli/` that holds a
client."""
