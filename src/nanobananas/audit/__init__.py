"""The append-only, hash-chained audit log: ids and hashes of what happened, never content."""
