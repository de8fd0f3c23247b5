"""Files the pipeline writes and reads: content hashes, writes that leave unchanged files alone, stable zips."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_if_changed(path: Path, text: str) -> None:
    """Leave a file alone when its content would not change: a re-run touches nothing."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_bytes_if_changed(path: Path, data: bytes) -> None:
    """Leave the file alone when its bytes would not change: a re-run touches nothing."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".xlsx.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


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
