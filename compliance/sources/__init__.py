"""Sources: where a repo's files come from."""
