"""Benchmarks (`make bench`): each bench_<name>.py has run() -> list of (what, figure) rows."""
