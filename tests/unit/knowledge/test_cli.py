"""``python -m knowledge`` (query from stdin) and the store's migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from knowledge.db import VERSION_TABLE, make_engine, run_migrations
from tests.unit.knowledge.conftest import ROOT


def test_query_command_reads_stdin_and_prints_hits(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "KB_"))}
    env.update(LINLI_DATA_DIR=str(tmp_path), KB_EMBEDDER="hashing")
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "query", "-k", "2", "--answers"],
        input="電動車能在樓道充電嗎\n\n医保卡丢了咋办\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    ).stdout
    blocks = out.strip().split("\n✓ ")
    assert out.startswith("✓ 电动车能在楼道充电吗")
    assert "电动车能在楼道里充电吗" in blocks[0] and "→ 不可以" in blocks[0]
    assert "医保卡丢了怎么办" in blocks[1]
    assert (tmp_path / "knowledge.db").is_file()


def test_migrations_are_idempotent_and_use_their_own_version_table(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    run_migrations(engine)
    run_migrations(engine)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"kb_faq", "kb_faq_audit", "kb_unanswered", VERSION_TABLE} <= tables
    assert "alembic_version" not in tables  # leaves the case system's version table alone
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == "kb0001"
        )
