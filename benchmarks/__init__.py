"""Benchmarks: python -m benchmarks.bench (not part of the test suite)."""
