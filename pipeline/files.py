"""Files the pipeline writes and reads: content hashes, writes that leave unchanged files alone, stable zips.

Every file a reader takes for whole (snapshot, workbook, reports, manifests) is written to a temporary
name in its folder and renamed into place (`replacing`), so a killed writer never leaves half a file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"\.\d+\.tmp$")  # <name>.<pid>.tmp, never DuckDB's own spill files


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def temporary_path(path: Path) -> Path:
    """Where a file is written before it is renamed into place: the same folder (so the rename is atomic),
    a name no reader takes for the file (`<name>.<pid>.tmp`) and one per process."""
    return path.with_name(f"{path.name}.{os.getpid()}{TEMPORARY_SUFFIX}")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Write the file at the yielded temporary path; on success it replaces `path` in one rename.

    A reader sees the old file or the whole new one, never a half-written one, also when the
    writer is killed; a temporary a killed writer left is removed by the next writer
    (remove_temporaries, when it takes the workspace lock).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        yield tmp
        put_in_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def put_in_place(tmp: Path, path: Path) -> None:
    """A whole temporary file (temporary_path) on disk, then renamed over `path` in one step."""
    _fsync(tmp)
    os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_if_changed(path: Path, text: str) -> None:
    """Leave a file alone when its content would not change: a re-run touches nothing."""
    write_bytes_if_changed(path, text.encode("utf-8"))


def write_bytes_if_changed(path: Path, data: bytes) -> None:
    """Leave the file alone when its bytes would not change: a re-run touches nothing."""
    if path.exists() and path.read_bytes() == data:
        return
    atomic_write_bytes(path, data)


def remove_temporaries(*folders: Path) -> list[Path]:
    """Remove the temporaries (temporary_path) a killed writer left under `folders`; only the
    workspace lock's holder may call this, as then no other writer has one in flight."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob(f"*{TEMPORARY_SUFFIX}"):
            if _TEMPORARY.search(path.name) and not any(part.endswith(".duckdb.tmp") for part in path.parts) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _fsync(path: Path) -> None:
    """The data on disk before the rename, so not even a power cut leaves a renamed, empty file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def workbook_bytes(workbook, saved_at: dt.datetime) -> bytes:
    """An openpyxl workbook as xlsx bytes, created and modified at `saved_at`: the same input, the same bytes."""
    from openpyxl.xml.functions import tostring

    workbook.properties.created = saved_at
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps the save time into docProps/core.xml and the zip entries: fix both.
    workbook.properties.modified = saved_at
    return fixed_zip(buffer.getvalue(), tostring(workbook.properties.to_tree()), saved_at)


def fixed_zip(data: bytes, core_xml: bytes, saved_at: dt.datetime) -> bytes:
    """An xlsx (a zip) with fixed times in its document properties and entries: the same input, the same bytes."""
    stamp = saved_at.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            payload = core_xml if info.filename == "docProps/core.xml" else source.read(info)
            target.writestr(entry, payload)
    return out.getvalue()


@contextmanager
def redirected(fd: int, path: Path | str) -> Iterator[None]:
    """Send what is written to file descriptor `fd` (1 stdout, 2 stderr), also by C code and child
    processes, to `path` for the duration: libraries' English chatter stays off the analyst's screen."""
    saved = os.dup(fd)
    with open(path, "wb") as target:
        os.dup2(target.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
