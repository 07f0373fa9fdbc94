"""Lineage: declared and inferred ancestors, each with its licence."""
