"""Facts: what a repo declares and contains, read without executing anything."""
