"""Strand packages: one per evaluation strand, each with inputs, analysis, charts and section modules."""
