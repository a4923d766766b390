"""The command line: the only place that imports click. Command modules read
options, call `run/` or the core, print, and choose the exit code; they never
import each other."""
