"""Go failure-mode knowledge base and advisor."""

__version__ = "0.1.0"
