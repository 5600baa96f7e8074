"""Claim matching and search: quality on a labelled corpus and latency over 100,000 generated claims."""
