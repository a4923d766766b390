"""`pull`: assets from a live Superset back into source YAML, as minimal edits.

Compute, then write: `plan.plan_pull` returns the new text of every file (or why a
file cannot be pulled); the command writes them.

The comparison is the one `diff` makes: both sides go through
`core.normalize` (the noise Superset adds on export is dropped there, not
here), minus `query_context`, which Explore derives from `params` on every save
and which a source does not need. That canonical form is turned back into the
form a source writes (`source_form`): chart ids in dashboard metadata are the
ids the file's own layout gives its charts, since Superset's import maps them
through the layout.

An existing file is edited where the two forms differ and nowhere else
(`edits`): it is read in ruamel.yaml's round-trip mode (keeping comments, key
order, quoting and its Jinja, which is written in YAML strings), the differing
values are set (`round_trip`), and the result is merged line by line into the
original text (`merge`), so that whatever ruamel would write differently in
untouched places stays as it was. The new text is rendered again and must give
what Superset has; otherwise the file is reported, not written (`file_change`).
`targets` chooses what to pull; `jinja` finds the Jinja a file carries.
"""
