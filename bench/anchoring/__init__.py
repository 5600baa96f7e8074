"""Re-anchoring benchmark: corpus, expected outcomes and the runner (`python -m bench.anchoring`)."""
