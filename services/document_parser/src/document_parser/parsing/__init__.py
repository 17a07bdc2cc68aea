"""Transcript parsing, independent of HTTP: :func:`document_parser.parsing.pipeline.parse_transcript`."""
