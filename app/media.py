"""Where a request's video comes from, and what the server refuses.

- `file:///abs/path`: only inside an `--allowed-local-media-path` folder, checked after symlinks and `..` are
  resolved; with no such folder, local files are refused altogether.
- `data:video/...;base64,...`: decoded (size-capped) into the server's media folder, named by content hash.
- `http(s)://...`: off unless `--allow-remote-media`. Loopback, private, link-local and other non-public
  addresses are refused (checked on the resolved addresses and again on the address actually connected to, so
  DNS rebinding does not get through), redirects are followed by hand and each hop is checked, and the download is
  capped in bytes and in time.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import os
import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from app.openai_schema import APIError

DATA_URL = re.compile(r"^data:(video/[\w.+-]+|application/octet-stream)?(;[\w=.-]+)*;base64,", re.I)
MAX_REDIRECTS = 3


@dataclass
class MediaPolicy:
    allowed_dirs: tuple[Path, ...] = ()
    allow_remote: bool = False
    allow_private: bool = False          # remote URLs on loopback/private addresses (tests, a trusted LAN)
    max_bytes: int = 200 * 2 ** 20
    timeout_s: float = 30.0
    store: Path = field(default_factory=lambda: Path(os.environ.get("TMPDIR", "/tmp")) / "vlm-serve-media")


class MediaResolver:
    def __init__(self, policy: MediaPolicy):
        self.policy = policy
        self.allowed = tuple(Path(d).expanduser().resolve(strict=True) for d in policy.allowed_dirs)
        policy.store.mkdir(parents=True, exist_ok=True)

    def resolve(self, url: str) -> Path:
        """A local path for the video at url, or an APIError saying why not (400, 403, 413)."""
        scheme = url.split(":", 1)[0].lower()
        if scheme == "file":
            return self._local(url)
        if scheme == "data":
            return self._data(url)
        if scheme in ("http", "https"):
            return self._remote(url)
        raise APIError(400, f"video_url: unsupported scheme {scheme!r}; use file://, data:video/...;base64, "
                            f"or http(s)://", param="messages")

    # --- local files ---------------------------------------------------------------------------------------
    def _local(self, url: str) -> Path:
        if not self.allowed:
            raise APIError(403, "local files are disabled: start the server with --allowed-local-media-path DIR",
                           type="permission_error", param="messages")
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            raise APIError(400, f"file URL with a host ({parsed.netloc!r}): use file:///absolute/path", param="messages")
        raw = unquote(parsed.path)
        if not raw.startswith("/"):
            raise APIError(400, "file URL needs an absolute path (file:///...)", param="messages")
        try:
            path = Path(raw).resolve(strict=True)  # symlinks and .. resolved before the check
        except (FileNotFoundError, RuntimeError, OSError):
            path = Path(os.path.normpath(raw))
            if not any(path.is_relative_to(d) for d in self.allowed):
                raise APIError(403, "file URL outside the allowed media folders", type="permission_error",
                               param="messages") from None
            raise APIError(400, f"{raw}: no such file", param="messages") from None
        if not any(path.is_relative_to(d) for d in self.allowed):
            raise APIError(403, "file URL outside the allowed media folders", type="permission_error",
                           param="messages")
        if not path.is_file():
            raise APIError(400, f"{raw}: not a file", param="messages")
        return path

    # --- data URLs -----------------------------------------------------------------------------------------
    def _data(self, url: str) -> Path:
        m = DATA_URL.match(url[:200])
        if m is None:
            raise APIError(400, "data URL must look like data:video/mp4;base64,...", param="messages")
        payload = url[m.end():]
        if len(payload) * 3 // 4 > self.policy.max_bytes:
            raise APIError(413, f"video over the {self.policy.max_bytes // 2 ** 20} MB limit", param="messages")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise APIError(400, "data URL: not valid base64", param="messages") from None
        return self._store(data, m.group(1) or "video/mp4")

    def _store(self, data: bytes, mime: str) -> Path:
        if not data:
            raise APIError(400, "the video is empty (0 bytes)", param="messages")
        ext = {"video/webm": ".webm", "video/quicktime": ".mov", "video/x-matroska": ".mkv",
               "video/x-msvideo": ".avi"}.get(mime.lower(), ".mp4")
        path = self.policy.store / f"{hashlib.sha1(data).hexdigest()}{ext}"
        if not path.exists():
            tmp = path.with_suffix(f".{os.getpid()}.part")
            tmp.write_bytes(data)
            tmp.replace(path)
        self._prune()
        return path

    def _prune(self, keep: int = 64) -> None:
        files = sorted(self.policy.store.glob("*.*"), key=lambda p: p.stat().st_mtime)
        for old in files[:-keep]:
            old.unlink(missing_ok=True)

    # --- remote URLs ---------------------------------------------------------------------------------------
    def _remote(self, url: str) -> Path:
        if not self.policy.allow_remote:
            raise APIError(403, "remote media is disabled: start the server with --allow-remote-media",
                           type="permission_error", param="messages")
        import httpx2

        deadline = time.monotonic() + self.policy.timeout_s
        with httpx2.Client(follow_redirects=False, timeout=self.policy.timeout_s) as client:
            for _ in range(MAX_REDIRECTS + 1):
                self._check_host(url)
                try:
                    with client.stream("GET", url) as r:
                        self._check_peer(r)
                        if r.is_redirect:
                            url = urljoin(url, r.headers.get("location", ""))
                            continue
                        if r.status_code != 200:
                            raise APIError(400, f"video URL answered HTTP {r.status_code}", param="messages")
                        return self._store(self._read(r, deadline), r.headers.get("content-type", "video/mp4")
                                           .split(";")[0])
                except httpx2.HTTPError as e:
                    raise APIError(400, f"could not fetch the video URL ({type(e).__name__})", param="messages") \
                        from None
        raise APIError(400, f"video URL redirects more than {MAX_REDIRECTS} times", param="messages")

    def _read(self, r, deadline: float) -> bytes:
        size = int(r.headers.get("content-length") or 0)
        if size > self.policy.max_bytes:
            raise APIError(413, f"video over the {self.policy.max_bytes // 2 ** 20} MB limit", param="messages")
        chunks, total = [], 0
        for chunk in r.iter_bytes():
            total += len(chunk)
            if total > self.policy.max_bytes:
                raise APIError(413, f"video over the {self.policy.max_bytes // 2 ** 20} MB limit", param="messages")
            if time.monotonic() > deadline:
                raise APIError(400, f"video download took over {self.policy.timeout_s:g} s", param="messages")
            chunks.append(chunk)
        return b"".join(chunks)

    def _check_host(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise APIError(400, "video URL redirects to something that is not http(s)", param="messages")
        if self.policy.allow_private:
            return
        try:
            infos = socket.getaddrinfo(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
        except socket.gaierror:
            raise APIError(400, f"video URL host {parsed.hostname!r} does not resolve", param="messages") from None
        for info in infos:
            self._refuse_if_private(info[4][0])

    def _check_peer(self, response) -> None:
        if self.policy.allow_private:
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer:
            self._refuse_if_private(peer[0])

    @staticmethod
    def _refuse_if_private(address: str) -> None:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise APIError(403, "video URL points to a loopback, private or link-local address",
                           type="permission_error", param="messages")
