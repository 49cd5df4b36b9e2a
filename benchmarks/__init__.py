"""Benchmarks: timings that report against in-run baselines; they never gate a build (see README.md)."""
