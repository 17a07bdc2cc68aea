"""MedGrade document_parser: turns a transcript into utterances, clinical sections and the summary."""
