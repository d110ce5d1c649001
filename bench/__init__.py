"""Benchmarks: scripts that measure and print figures; not part of the test suite."""
