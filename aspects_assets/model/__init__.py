"""The model: plain data every layer shares (assets, errors, the project record,
locale codes). Imports nothing else of the tool."""
