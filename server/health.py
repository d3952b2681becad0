"""``GET /healthz``: 200 when the catalogue loads, 503 (naming the build command) when not."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from server.http import json_error
from server.sitedir import ArtifactsInvalid, ArtifactsMissing

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        cat = current_app.extensions["shelf_catalogue"].get()
    except (ArtifactsMissing, ArtifactsInvalid) as error:
        command = current_app.config["BUILD_COMMAND"]
        return json_error(503, f"not ready: {error}. Run `{command}`.")
    return jsonify(status="ok", num_books=len(cat.books), format_version=cat.metadata.get("format_version"))
