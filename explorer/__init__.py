"""The embedding explorer: books as vectors, by what they link to, with maps and queries.

Two link models, ``tags`` (goodbooks-10k tags) and ``wikipedia`` (wikilinks), are trained by
``python -m explorer.links``; ``python -m explorer.maps`` projects them and the rating model's
book vectors to 2-D for ``map.html`` and the Embedding Projector; ``explorer.queries`` answers
queries, for ``python -m explorer.explore`` (the command line) and the quality report.

Imports go one way: the explorer reads the files the rating model exported and may import
``model.data``, ``model.download`` and the small helpers of ``model`` (``atomic``, ``layout``, ``ranking``,
``import_tensorflow``); ``model`` never imports the explorer. Of this package only
``explorer.link_model`` (and the ``explorer.links`` stage that trains it) imports TensorFlow.
"""
