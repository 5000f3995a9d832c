"""The household register's CLI (``python -m deliberation households …``): add, list and
import a CSV into the part's own database; phones are only ever printed masked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "DELIB_"))}
    env.update(
        LINLI_DATA_DIR=str(data_dir),
        DELIB_DATABASE_URL=f"sqlite:///{data_dir / 'register.db'}",
    )
    return subprocess.run(
        [sys.executable, "-m", "deliberation", "households", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_add_list_and_import_csv_print_masked_phones_only(tmp_path: Path) -> None:
    added = _cli(
        tmp_path, "add", "--building", "5", "--unit", "2", "--room", "301", "--grid", "G1",
        "--phone", "13912345678", "--phone", "021-5555 8888",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "已登记：5号楼2单元301室" in added.stdout and "139****5678" in added.stdout
    again = _cli(tmp_path, "add", "--building", "5", "--unit", "2", "--room", "301",
                 "--grid", "G1", "--phone", "13700001234")  # fmt: skip
    assert again.returncode == 0 and "137****1234" in again.stdout  # phones added, one row

    register = tmp_path / "register.csv"
    register.write_text(
        "楼栋,单元,房号,网格,电话\n"
        "6,1,101,G2,13811112222\n"
        "6,1,102,G2,13833334444;13855556666\n"
        "6,1,103,G2,12\n"  # a phone cut short: refused, nothing of it kept
        "五,1,104,G2,\n"  # not a building number
        "7,1,101,G2,\n",  # no phone on record yet
        encoding="utf-8",
    )
    loaded = _cli(tmp_path, "import-csv", str(register))
    assert loaded.returncode == 0, loaded.stderr
    assert "已导入 3 户，未导入 2 行" in loaded.stdout
    assert "第4行未导入：电话号码不完整" in loaded.stdout
    assert "第5行未导入：楼栋请填数字或字母" in loaded.stdout

    listed = _cli(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    assert "共 4 户" in listed.stdout
    assert "6号楼1单元102室\tG2\t138****4444、138****6666" in listed.stdout
    assert "7号楼1单元101室\tG2\t无电话" in listed.stdout
    assert "6号楼1单元103室" not in listed.stdout
    only_g1 = _cli(tmp_path, "list", "--grid", "G1").stdout
    assert "5号楼2单元301室" in only_g1 and "6号楼" not in only_g1 and "共 1 户" in only_g1
    assert "共 2 户" in _cli(tmp_path, "list", "--building", "6").stdout

    everything = added.stdout + again.stdout + loaded.stdout + listed.stdout + only_g1
    for full in ("13912345678", "55558888", "13700001234", "13811112222", "13855556666"):
        assert full not in everything


def test_bad_input_is_a_plain_refusal(tmp_path: Path) -> None:
    bad = _cli(tmp_path, "add", "--building", "5", "--unit", "1", "--room", "1",
               "--grid", "G1", "--phone", "139")  # fmt: skip
    assert bad.returncode == 2 and "错误：电话号码不完整" in bad.stderr
    assert "共 0 户" in _cli(tmp_path, "list").stdout  # nothing half-saved
    missing = _cli(tmp_path, "import-csv", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "读不了文件" in missing.stderr
