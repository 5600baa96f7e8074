"""Factmark: a fact-check annotation service for news articles."""

__version__ = "0.1.0"
