"""Evaluation strands, one package each (inputs, analysis, charts, section)."""
