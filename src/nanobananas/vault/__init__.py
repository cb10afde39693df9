"""Encrypted blob store: per-owner data keys wrapped by a master key, crypto-shredding."""
