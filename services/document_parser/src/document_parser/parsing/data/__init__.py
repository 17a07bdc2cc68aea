"""Data files of the parser (learned weights); see each file for its provenance."""
