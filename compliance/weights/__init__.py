"""Weight-based lineage evidence (issue 4): numpy/scipy only, no torch."""
