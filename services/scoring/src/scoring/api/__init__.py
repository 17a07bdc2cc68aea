"""HTTP layer of the scoring service."""
