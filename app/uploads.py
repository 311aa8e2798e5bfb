"""Uploaded videos: checked (format, size, decodability) and kept in a per-session temp dir that is removed."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from pathlib import Path

from vlm.video import VideoReadError, probe

ACCEPTED = (".mp4", ".mov", ".avi", ".mkv", ".webm")


def max_upload_mb() -> int:
    return int(os.environ.get("VLM_MAX_UPLOAD_MB", "500"))


class UploadError(Exception):
    """Why an upload cannot be used; shown in the page as is."""


class UploadDir:
    """A temp dir for one browser session; removed when the session's state is dropped or at exit."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="vlm-upload-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def save(self, name: str, data: bytes) -> Path:
        """Check the upload, store it (replacing this session's previous one) and return its path."""
        ext = Path(name).suffix.lower()
        if ext not in ACCEPTED:
            raise UploadError(f"{name}: unsupported format {ext or '(no extension)'!r}; "
                              f"upload one of {', '.join(e[1:] for e in ACCEPTED)}")
        if not data:
            raise UploadError(f"{name}: the file is empty (0 bytes)")
        limit = max_upload_mb()
        if len(data) > limit * 1024 * 1024:
            raise UploadError(f"{name}: {len(data) / 2**20:.0f} MB is over the {limit} MB limit (VLM_MAX_UPLOAD_MB)")
        digest = hashlib.sha1(data).hexdigest()[:12]
        path = self.path / f"{digest}{ext}"
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            try:
                probe(tmp.rename(path))
            except VideoReadError as e:
                path.unlink(missing_ok=True)
                raise UploadError(f"{name}: {e.reason}") from None
        for old in self.path.iterdir():
            if old != path:
                old.unlink(missing_ok=True)
        return path
