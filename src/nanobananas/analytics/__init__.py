"""Pseudonymous usage events and daily aggregates, result feedback, error and bug reports."""
