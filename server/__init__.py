"""Shelf's web server: the static site (built into ``static/``) and a small JSON API.

Run it with ``make serve`` (gunicorn, see gunicorn.conf.py) or, for development,
``SHELF_STATIC_DIR=static flask --app server run``. Nothing here imports TensorFlow, and
nothing is loaded at import time: the catalogue is read when a gunicorn worker starts
(gunicorn.conf.py) or on the first API request, and again after a rebuild.
"""

from __future__ import annotations

import os

from flask import Flask

from server.catalogue import CatalogueCache
from server.http import install_response_policy


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. ``test_config`` overrides the defaults (tests point paths at fixtures).

    Config keys: ``STATIC_DIR`` (the built site, env ``SHELF_STATIC_DIR``, default
    ``static``), ``BUILD_COMMAND`` (named in 503 answers), ``MAX_LIMIT`` (largest page of
    search results), ``MAX_K`` (most similar books), ``GZIP_MIN_BYTES``.
    """
    # static_folder=None: the site blueprint serves static/ itself, with the caching,
    # compression and path rules in server/site.py.
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        STATIC_DIR=os.environ.get("SHELF_STATIC_DIR", "static"),
        BUILD_COMMAND="make build",
        MAX_LIMIT=100,
        MAX_K=100,
        MAX_QUERY_CHARS=200,
        GZIP_MIN_BYTES=512,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["STATIC_DIR"] = os.path.abspath(app.config["STATIC_DIR"])
    app.extensions["shelf_catalogue"] = CatalogueCache(app.config["STATIC_DIR"])

    from server import api, health, site

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(site.bp)
    install_response_policy(app)
    return app
