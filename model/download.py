"""Find goodbooks-10k, or download it from its public release when nobody configured it.

``--data`` wins, then ``GOODBOOKS_DIR``, then ``data/goodbooks-10k``, which is the only
directory a download fills: the zip is checked against its pinned sha256 and unpacked in a
staging directory renamed into place when complete (model/atomic.py).
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import urllib.request
import zipfile
import zlib
from pathlib import Path

from tqdm import tqdm

from model.atomic import make_staging, replace_dir
from model.data import DataError

log = logging.getLogger(__name__)

GOODBOOKS_URL = "https://github.com/zygmuntz/goodbooks-10k/releases/download/v1.0/goodbooks-10k.zip"
GOODBOOKS_SHA256 = "261b97b56db61f3fb2ce5aadbb13704d30179fcc986c17ace665a0af9ed00731"
DEFAULT_DATA_DIR = Path("data/goodbooks-10k")
REQUIRED_FILES = ("books.csv", "ratings.csv", "book_tags.csv", "tags.csv", "to_read.csv")


def resolve_data_dir(data_arg: str | None, environ: dict | None = None) -> tuple[Path, bool]:
    """Return (directory, is_default): --data wins, then GOODBOOKS_DIR, then the default."""
    environ = os.environ if environ is None else environ
    if data_arg:
        return Path(data_arg), False
    if environ.get("GOODBOOKS_DIR"):
        return Path(environ["GOODBOOKS_DIR"]), False
    return DEFAULT_DATA_DIR, True


def ensure_data(data_arg: str | None = None, url: str | None = None, sha256: str | None = None) -> Path:
    """Find the dataset; download it into the default directory when nobody configured one
    (``url`` and ``sha256`` default to the pinned release's, read when called)."""
    data_dir, is_default = resolve_data_dir(data_arg)
    missing = [name for name in ("books.csv", "ratings.csv") if not (data_dir / name).is_file()]
    if not missing:
        return data_dir
    if not is_default:
        raise DataError(
            f"{data_dir}: missing {', '.join(missing)}. Point --data or GOODBOOKS_DIR at a "
            "directory with the goodbooks-10k CSV files, or leave both unset to download them."
        )
    download_dataset(data_dir, url or GOODBOOKS_URL, sha256 or GOODBOOKS_SHA256)
    return data_dir


def download_dataset(data_dir: Path, url: str = GOODBOOKS_URL, sha256: str = GOODBOOKS_SHA256) -> None:
    """Download the release zip, check its sha256 and unpack the CSVs into ``data_dir``.

    Everything happens in a temporary directory next to ``data_dir`` that is renamed into
    place only when complete, so a failed or interrupted download leaves nothing behind.
    """
    data_dir = Path(data_dir)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    offline_hint = (
        f"To work offline, download {url} by hand, unzip it into a directory and pass "
        "--data DIR (or set GOODBOOKS_DIR=DIR)."
    )
    tmp = make_staging(data_dir.parent, "download")  # also removes a killed download's
    try:
        archive = tmp / "goodbooks-10k.zip"
        log.info("downloading goodbooks-10k from %s", url)
        try:
            got, expected = _fetch(url, archive)
        except (OSError, http.client.HTTPException) as err:
            raise DataError(f"could not download {url}: {err}. {offline_hint}") from err
        if expected is not None and got < expected:
            raise DataError(
                f"{url}: the download was cut off after {got:,} of {expected:,} bytes; nothing was "
                f"kept, run the command again. {offline_hint}"
            )
        digest = _sha256(archive)
        if digest != sha256:
            raise DataError(
                f"checksum mismatch for {url}: expected sha256 {sha256}, got {digest} (a different "
                f"or damaged file); nothing was kept. {offline_hint}"
            )
        unpacked = tmp / "unpacked"
        _unpack_csvs(archive, unpacked, url)
        replace_dir(unpacked, data_dir, "download-old")
        log.info("goodbooks-10k ready in %s", data_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fetch(url: str, dest: Path) -> tuple[int, int | None]:
    """Write ``url`` to ``dest``; (bytes received, bytes announced by Content-Length or None)."""
    got = 0
    with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, desc="goodbooks-10k.zip") as bar:
            try:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            except http.client.IncompleteRead as err:  # the server announced more, then closed
                got += len(err.partial)
                return got, total or got + (err.expected or 0)
    return got, total


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack_csvs(archive: Path, dest: Path, source: str | None = None) -> None:
    """Extract the dataset's CSV files, wherever they sit inside the zip, flat into dest
    (errors name ``source``, the URL, when given)."""
    origin = source or archive.name
    dest.mkdir()
    try:
        with zipfile.ZipFile(archive) as zf:
            members = {Path(name).name: name for name in zf.namelist() if name.endswith(".csv")}
            missing = [name for name in REQUIRED_FILES if name not in members]
            if missing:
                raise DataError(f"{origin}: the archive lacks {', '.join(missing)}")
            for name in REQUIRED_FILES:
                with zf.open(members[name]) as src, open(dest / name, "wb") as out:
                    shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, zlib.error) as err:  # zlib: a damaged compressed member
        raise DataError(f"{origin}: not a valid zip file ({err}); nothing was kept") from err
