"""Pure scoring functions: (rubric, parsed transcript) -> ComponentResult, and the aggregate."""
