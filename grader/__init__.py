"""labgrade: sandboxed, deep-learning-aware grading of neural-network labs."""

__version__ = "0.1.0"
