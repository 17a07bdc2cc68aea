"""Wire contracts shared by the MedGrade services."""
