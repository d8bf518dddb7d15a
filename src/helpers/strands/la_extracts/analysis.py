"""Derived indicators (placeholder, filled in below)."""
OUTPUTS = ()
