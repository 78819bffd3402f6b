"""
Run the admission selection on stored applications and publish its results.

A run snapshots the verified applications and the period's rule set into
the selection engine's input files, runs the engine (``ppdb.engine``),
stores every result and per-choice explanation, and is never changed
afterwards. The other modules read stored runs: explanations for parents,
public ranking lists, reports and exports for the education office, and
the comparison of two runs.
"""
