"""Where each build stage writes under the artifacts root: one folder per stage, one writer per file.

    artifacts/model/             model.train: model.keras, split/, config.json, history.json,
                                 parity.json, book_embeddings.npy, training_curves.png,
                                 web/ (books.json, goodreads.json, metadata.json, model/)
    artifacts/eval/              model.evaluate: eval.json, eval.md
    artifacts/explorer/links/    explorer.links: tags/, wikipedia/, report.*, config.json,
                                 web/content_similar.json
    artifacts/explorer/maps/     explorer.maps: *.png, config.json, projector/,
                                 web/map.json, web/genres.json

Each stage builds its folder in a staging directory and swaps it in whole (model/atomic.py),
so a folder is always one run's output. The site build (sitebuild/) reads the
``web/`` folders and alone writes ``static/``. No TensorFlow here: the site build uses it too.
"""

from __future__ import annotations

from pathlib import Path

WEB = "web"  # inside a stage's folder: the files the site serves as they are


def model_dir(root: Path) -> Path:
    return Path(root) / "model"


def eval_dir(root: Path) -> Path:
    return Path(root) / "eval"


def links_dir(root: Path) -> Path:
    return Path(root) / "explorer" / "links"


def maps_dir(root: Path) -> Path:
    return Path(root) / "explorer" / "maps"


def web_dirs(root: Path) -> list[Path]:
    """The stages' ``web/`` folders, in the order the site build copies them (no two share a name)."""
    return [model_dir(root) / WEB, links_dir(root) / WEB, maps_dir(root) / WEB]


def is_flat(root: Path) -> bool:
    """Whether ``root`` holds the layout from before each stage had its folder (web/ and
    model.keras at the top) and not the model stage's folder."""
    root = Path(root)
    old = (root / WEB / "metadata.json").is_file() or (root / "model.keras").is_file()
    return old and not (model_dir(root) / WEB / "metadata.json").is_file()


def missing(root: Path, path: Path, produce: str) -> str:
    """The message for a missing input ``path`` under ``root``: the old flat layout is named,
    with `make build` to rebuild it; otherwise ``produce`` says what makes the file."""
    if is_flat(root):
        return (
            f"{path} is missing: {root} is laid out as before each stage had its own folder "
            f"({root}/web/, {root}/model.keras). Run `make build` to rebuild it "
            f"(`make clean` first removes the old files)."
        )
    return f"{path} is missing: {produce}"
