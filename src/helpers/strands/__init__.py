"""Evaluation strands written as packages (inputs, analysis, charts, section), one folder each."""
