"""MedGrade rubric management: rubrics as immutable, versioned JSON objects in the store."""
