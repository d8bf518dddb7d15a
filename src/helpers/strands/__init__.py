"""Evaluation strands, one package each (see docs/adding_a_strand.md)."""
