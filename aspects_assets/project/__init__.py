"""The project's files: settings, asset templates, catalogs, the inputs hash and
the local note of what validated. Reads (and for the note, writes) local files."""
