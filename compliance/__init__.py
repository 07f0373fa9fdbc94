"""modelcheck: licence and attribution compliance for open-weight AI models."""

__version__ = "0.1.0"
