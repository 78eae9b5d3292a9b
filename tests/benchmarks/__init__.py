"""Benchmarks (`make bench`): they print figures and write docs/benchmarks.md; never timed tests."""
