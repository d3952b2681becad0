"""Tests of the embedding explorer (the explorer package and the map page)."""
