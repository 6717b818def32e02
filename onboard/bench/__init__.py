"""Benchmarks that print figures: ``python -m onboard.bench emulator``."""
