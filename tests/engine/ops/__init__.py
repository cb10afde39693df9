"""Tests for the engine's image operations."""
