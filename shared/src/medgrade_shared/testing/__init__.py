"""Pytest plugins shared by the MedGrade test suites (loaded with ``pytest_plugins``)."""
