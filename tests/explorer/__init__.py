"""Tests of the embedding explorer (model.links, model.link_model, model.explore, model.maps, map page)."""
