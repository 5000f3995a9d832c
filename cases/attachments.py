"""Photos and locations residents attach to their cases, stored as files beside the case database.

Files live under ``<data_dir>/attachments/<case_no>/``: the content and a small JSON record per
attachment. Only real images (sniffed from their bytes, not their name) of limited size are kept;
a full disk is reported, never half-written.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from core.errors import InvalidInput

logger = logging.getLogger(__name__)

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class AttachmentError(InvalidInput):
    """An attachment that cannot be stored; ``status_code`` says which HTTP answer fits."""

    status_code = 400


class AttachmentTooLarge(AttachmentError):
    """Bigger than the limit."""

    status_code = 413


class AttachmentWrongType(AttachmentError):
    """Not an image we accept."""

    status_code = 415


class StorageFull(AttachmentError):
    """The disk is full: nothing was stored."""

    status_code = 507


@dataclass(frozen=True)
class Attachment:
    """One stored attachment."""

    id: str
    case_no: str
    kind: str
    content_type: str | None
    size: int
    created_at: str
    latitude: float | None = None
    longitude: float | None = None
    filename: str | None = None


def sniff_image(data: bytes) -> str | None:
    """The image type from the file's first bytes, or None when it is not an accepted image."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class AttachmentStore:
    """Attachments of every case under one directory."""

    def __init__(self, root: Path, max_photo_bytes: int = MAX_PHOTO_BYTES) -> None:
        self._root = root
        self._max = max_photo_bytes

    @property
    def max_photo_bytes(self) -> int:
        """The photo size limit."""
        return self._max

    def _dir(self, case_no: str) -> Path:
        if not case_no.replace("-", "").isalnum():
            raise AttachmentError("编号不对")
        return self._root / case_no

    def _next_id(self, case_no: str) -> str:
        """Ordered, unguessable: sequence number within the case + random suffix."""
        folder = self._dir(case_no)
        n = len(list(folder.glob("*.json"))) + 1 if folder.exists() else 1
        return f"{n:04d}-{secrets.token_hex(6)}"

    def _write(self, path: Path, data: bytes) -> None:
        tmp = path.with_suffix(path.suffix + ".part")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                logger.error("Disk full while storing %s", path.name)
                raise StorageFull("存储空间不足，照片没有保存，请稍后再发。") from exc
            raise

    def _save(self, att: Attachment, content: bytes | None) -> Attachment:
        folder = self._dir(att.case_no)
        folder.mkdir(parents=True, exist_ok=True)
        if content is not None and att.filename:
            self._write(folder / att.filename, content)
        try:
            self._write(
                folder / f"{att.id}.json", json.dumps(asdict(att), ensure_ascii=False).encode()
            )
        except StorageFull:
            if att.filename:
                (folder / att.filename).unlink(missing_ok=True)
            raise
        return att

    def add_photo(self, case_no: str, data: bytes, now: datetime) -> Attachment:
        """Store a photo after checking its size and real type."""
        if len(data) > self._max:
            raise AttachmentTooLarge(
                f"照片太大了，请发 {self._max // (1024 * 1024)}MB 以内的照片。"
            )
        content_type = sniff_image(data)
        if content_type is None:
            raise AttachmentWrongType("只能收 JPG、PNG 或 WebP 格式的照片。")
        att_id = self._next_id(case_no)
        att = Attachment(
            id=att_id,
            case_no=case_no,
            kind="photo",
            content_type=content_type,
            size=len(data),
            created_at=now.isoformat(),
            filename=att_id + IMAGE_TYPES[content_type],
        )
        return self._save(att, data)

    def add_location(
        self, case_no: str, latitude: float, longitude: float, now: datetime
    ) -> Attachment:
        """Store a shared location."""
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise AttachmentError("位置坐标不对。")
        att = Attachment(
            id=self._next_id(case_no),
            case_no=case_no,
            kind="location",
            content_type=None,
            size=0,
            created_at=now.isoformat(),
            latitude=latitude,
            longitude=longitude,
        )
        return self._save(att, None)

    def list(self, case_no: str) -> list[Attachment]:
        """A case's attachments, oldest first."""
        folder = self._dir(case_no)
        if not folder.exists():
            return []
        items = []
        for meta in sorted(folder.glob("*.json")):
            try:
                items.append(Attachment(**json.loads(meta.read_text(encoding="utf-8"))))
            except (ValueError, TypeError):
                logger.warning("Unreadable attachment record %s", meta)
        return items

    def file_of(self, case_no: str, att_id: str) -> tuple[Path, str] | None:
        """(path, content type) of a photo, or None."""
        match = next((a for a in self.list(case_no) if a.id == att_id and a.filename), None)
        if match is None or match.filename is None or match.content_type is None:
            return None
        return self._dir(case_no) / match.filename, match.content_type
