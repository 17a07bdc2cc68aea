"""The ``medgrade`` command: the MedGrade API for people at a terminal."""
