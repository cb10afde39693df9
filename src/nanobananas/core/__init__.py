"""Shared pieces: domain exceptions, API error shapes, base models."""
