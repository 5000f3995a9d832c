"""Backup and restore of a Linli data directory.

``create`` makes consistent online copies of every SQLite database in the data directory with
SQLite's backup API (safe while the hub, Rasa and the action server are running), adds the
knowledge index cache and the residents' attachments, and writes a timestamped ``tar.gz`` with a
``manifest.json`` (SHA-256 and size of every file). ``restore`` verifies the manifest before it
writes anything into the target directory. ``harden`` makes the data directory private to its
owner (directories 0700, files 0600).

Usage::

    python -m core.backup create [--data-dir var] [--out var/backups]
    python -m core.backup restore ARCHIVE --data-dir DIR [--force]
    python -m core.backup harden [--data-dir var]

PostgreSQL deployments back up the case database with ``pg_dump`` (see README).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import stat
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = "linli-backup/1"
SQLITE_MAGIC = b"SQLite format 3\x00"
DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")
TREES = ("attachments", "uploads", "models/kb-cache")
"""Non-database folders of the data directory that are backed up as they are."""
SKIP_DIRS = ("models", "backups")
"""Folders never searched for databases (provisioned models are re-provisioned, not backed up)."""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Entry:
    """One file of a backup."""

    path: str
    kind: str
    sha256: str
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def find_databases(data_dir: Path) -> list[Path]:
    """Every SQLite database under the data directory (outside models/ and backups/)."""
    found = []
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".restore-"))
        for name in sorted(files):
            path = here / name
            if path.suffix in DB_SUFFIXES and not path.is_symlink() and _is_sqlite(path):
                found.append(path)
    return found


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (SQLite's online backup API)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _stage(data_dir: Path, staging: Path) -> list[Entry]:
    entries: list[Entry] = []
    for db in find_databases(data_dir):
        rel = db.relative_to(data_dir).as_posix()
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_database(db, target)
        entries.append(Entry(rel, "sqlite", _sha256(target), target.stat().st_size))
    for tree in TREES:
        root = data_dir / tree
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.endswith(".part"):
                continue
            rel = path.relative_to(data_dir).as_posix()
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            entries.append(Entry(rel, tree, _sha256(target), target.stat().st_size))
    return entries


def create_backup(data_dir: Path, out_dir: Path, now: datetime | None = None) -> Path:
    """Back up ``data_dir`` into ``out_dir``; returns the archive path (mode 0600).

    Raises:
        BackupError: the data directory does not exist.
    """
    if not data_dir.is_dir():
        raise BackupError(f"数据目录不存在：{data_dir}")
    now = now or datetime.now(UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"linli-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="linli-backup-") as tmp:
        staging = Path(tmp)
        entries = _stage(data_dir, staging)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "files": [e.__dict__ for e in entries],
        }
        partial = archive.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for entry in entries:
                tar.add(staging / entry.path, arcname=entry.path, recursive=False)
        os.replace(partial, archive)
    logger.info("Backup of %s written to %s (%d files)", data_dir, archive, len(entries))
    return archive


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name != ""


def read_manifest(tar: tarfile.TarFile) -> list[Entry]:
    """The manifest's entries, checked for format and safe paths.

    Raises:
        BackupError: missing or malformed manifest.
    """
    try:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise KeyError(MANIFEST)
        manifest = json.loads(member.read())
    except (KeyError, ValueError) as exc:
        raise BackupError("备份文件里没有有效的清单（manifest.json）") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    entries = [Entry(**f) for f in manifest.get("files", [])]
    for entry in entries:
        if not _safe_member(entry.path):
            raise BackupError(f"备份清单里有不安全的路径：{entry.path}")
    return entries


def restore_backup(archive: Path, data_dir: Path, *, force: bool = False) -> list[Entry]:
    """Verify ``archive`` against its manifest, then restore it into ``data_dir``.

    Nothing is written into ``data_dir`` unless every file matches its SHA-256.

    Raises:
        BackupError: bad archive, checksum mismatch, or databases already in the target
            (without ``force``).
    """
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    data_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        entries = read_manifest(tar)
        existing = [e.path for e in entries if (data_dir / e.path).exists()]
        if existing and not force:
            raise BackupError(
                "目标目录里已经有这些文件，为避免覆盖已停止（确认要覆盖请加 --force）："
                + "、".join(existing[:5])
            )
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as tmp:
            staging = Path(tmp)
            for entry in entries:
                member = tar.getmember(entry.path)
                if not member.isfile():
                    raise BackupError(f"备份里的 {entry.path} 不是普通文件")
                source = tar.extractfile(member)
                assert source is not None
                target = staging / entry.path
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                if _sha256(target) != entry.sha256 or target.stat().st_size != entry.size:
                    raise BackupError(f"校验失败，备份文件可能已损坏：{entry.path}")
            for entry in entries:
                final = data_dir / entry.path
                final.parent.mkdir(parents=True, exist_ok=True)
                for suffix in ("-wal", "-shm", "-journal"):
                    Path(str(final) + suffix).unlink(missing_ok=True)
                os.replace(staging / entry.path, final)
    restrict_permissions(data_dir)
    logger.info("Restored %d files from %s into %s", len(entries), archive, data_dir)
    return entries


def restrict_permissions(data_dir: Path) -> int:
    """Make the data directory private: directories 0700, files 0600; returns files changed."""
    changed = 0
    if not data_dir.is_dir():
        return 0
    data_dir.chmod(0o700)
    for path in data_dir.rglob("*"):
        if path.is_symlink():
            continue
        want = 0o700 if path.is_dir() else 0o600
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(want)
            changed += 1
    return changed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.backup", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser(
        "create", help="back up every database, the index cache and attachments"
    )
    create.add_argument(
        "--data-dir", type=Path, default=None, help="default: LINLI_DATA_DIR or var"
    )
    create.add_argument("--out", type=Path, default=None, help="default: <data dir>/backups")
    restore = sub.add_parser("restore", help="verify a backup and restore it into a data directory")
    restore.add_argument("archive", type=Path)
    restore.add_argument("--data-dir", type=Path, required=True)
    restore.add_argument("--force", action="store_true", help="overwrite files already there")
    harden = sub.add_parser("harden", help="make the data directory private (0700/0600)")
    harden.add_argument("--data-dir", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one backup command; returns the exit status."""
    from core.config import CommonSettings
    from core.logging import setup_logging

    args = _parser().parse_args(argv)
    setup_logging("WARNING")
    data_dir = args.data_dir or CommonSettings().data_dir
    try:
        if args.command == "create":
            archive = create_backup(data_dir, args.out or data_dir / "backups")
            sys.stdout.write(f"{archive}\n")
        elif args.command == "restore":
            entries = restore_backup(args.archive, data_dir, force=args.force)
            sys.stdout.write(f"已恢复 {len(entries)} 个文件到 {data_dir}（校验全部通过）\n")
        else:
            changed = restrict_permissions(data_dir)
            sys.stdout.write(f"已收紧 {changed} 个文件/目录的权限：{data_dir}\n")
    except (BackupError, tarfile.TarError, sqlite3.Error, OSError) as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
