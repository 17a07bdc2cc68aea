"""Sentence embeddings for the key-question matcher: the model loader, sentence splitting and
the per-rubric-version cache of phrase embeddings."""
