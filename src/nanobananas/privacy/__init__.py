"""Retention rules, cleanup queue, purge, export and deletion (grows with the retention issue)."""
