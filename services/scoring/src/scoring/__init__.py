"""MedGrade scoring service: component evaluators, aggregation and cited feedback."""
