"""Keyword index, embedder, vector index and hybrid fusion."""
