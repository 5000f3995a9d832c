"""The dependency rules between the project's packages, read from the source (``ast``; nothing is
imported, so a rule broken in a module that cannot load here is still found).

* ``core`` imports nothing of ours (only the standard library and third-party packages);
* ``knowledge`` never imports ``cases``; ``cases`` never imports ``actions``;
* ``cases`` never imports the tracker store's code (``conversations``, ``nlu``): a resident's
  conversations reach it only through the owner the hub registers (``core/resident_data.py``);
  ``conversations`` never imports ``cases``;
* ``bench`` never imports ``tests``; ``harness`` (what tests and bench share) imports neither;
* no product package imports ``tests``, ``bench`` or ``harness``;
* no ``sys.path`` edits anywhere: every module is imported from the project root.

Every import counts, also one inside a function (a lazy import is still a dependency), a relative
one, ``importlib.import_module("…")`` / ``__import__("…")`` with a literal name, and
``python -m pkg.mod`` written out in an argument list (a subprocess is a dependency too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCT = (
    "core",
    "cases",
    "knowledge",
    "actions",
    "bot",
    "voice",
    "chat",
    "deliberation",
    "conversations",
    "nlu",
)
"""What is deployed. (``nlu`` holds Rasa's addons: Rasa runs with ``PYTHONPATH=nlu``, so they
import each other as ``addons.…``.)"""
OURS = (*PRODUCT, "tests", "bench", "harness")

TEST_SIDE = frozenset({"tests", "bench", "harness"})
FORBIDDEN: dict[str, frozenset[str]] = {p: TEST_SIDE for p in PRODUCT}
"""Package → the packages of ours it must not import."""
FORBIDDEN["core"] = frozenset(OURS) - {"core"}
FORBIDDEN["knowledge"] = TEST_SIDE | {"cases"}
FORBIDDEN["cases"] = TEST_SIDE | {"actions", "conversations", "nlu"}
FORBIDDEN["conversations"] = TEST_SIDE | {"cases"}
FORBIDDEN["bench"] = frozenset({"tests"})
FORBIDDEN["harness"] = frozenset({"tests", "bench"})

SYS_PATH_ALLOWED: frozenset[str] = frozenset()
"""Files still allowed to edit ``sys.path``: none (the NLU training data are Rasa data files under
nlu/data/, one per intent, with no Python generator left to import its lists by path)."""

SKIP_DIRS = frozenset({"node_modules", "var", "__pycache__"})


def project_files() -> Iterator[Path]:
    """Every .py file of the project (not venvs, caches, node_modules or the data directory)."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts):
            continue
        yield path


def module_name(rel: str) -> tuple[str, bool]:
    """(dotted module name, is a package) of a file path relative to the root."""
    parts = rel[: -len(".py")].split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def _literal_imports(node: ast.AST) -> Iterator[str]:
    """Modules named by literal strings: import_module("x") / __import__("x"), and ``-m x`` in a
    list or tuple of arguments."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            yield node.args[0].value
    if isinstance(node, ast.List | ast.Tuple):
        items = node.elts
        for flag, target in zip(items, items[1:], strict=False):
            if (
                isinstance(flag, ast.Constant)
                and flag.value == "-m"
                and isinstance(target, ast.Constant)
                and isinstance(target.value, str)
            ):
                yield target.value


def imported(source: str, rel: str) -> Iterator[tuple[str, int]]:
    """(absolute module, line) of every import in a file, at any depth."""
    module, is_package = module_name(rel)
    for node in ast.walk(ast.parse(source, filename=rel)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            yield _absolute(node, module, is_package), node.lineno
        else:
            for name in _literal_imports(node):
                yield name, getattr(node, "lineno", 0)


def _package_of(name: str, rel: str) -> str:
    top = name.split(".")[0]
    if top == "addons" and rel.startswith("nlu/"):
        return "nlu"
    return top


def _edits_sys_path(node: ast.AST) -> bool:
    """``sys.path.insert/append/extend/…(…)``, ``sys.path = …``, ``sys.path[…] = …``,
    ``site.addsitedir(…)``."""

    def is_sys_path(expr: ast.AST) -> bool:
        return (
            isinstance(expr, ast.Attribute)
            and expr.attr == "path"
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "sys"
        )

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if is_sys_path(node.func.value):
            return node.func.attr in ("insert", "append", "extend", "remove", "pop", "clear")
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "site":
            return node.func.attr == "addsitedir"
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if is_sys_path(target) or (
                isinstance(target, ast.Subscript) and is_sys_path(target.value)
            ):
                return True
    return False


def violations(rel: str, source: str) -> list[str]:
    """The broken rules of one file (path relative to the root, with ``/``)."""
    found: list[str] = []
    package = rel.split("/")[0]
    forbidden = FORBIDDEN.get(package, frozenset())
    for name, line in imported(source, rel):
        target = _package_of(name, rel)
        if target in forbidden:
            found.append(f"{rel}:{line}: {package} imports {name}")
    if rel not in SYS_PATH_ALLOWED:
        for node in ast.walk(ast.parse(source, filename=rel)):
            if _edits_sys_path(node):
                found.append(f"{rel}:{getattr(node, 'lineno', 0)}: edits sys.path")
    return found


def test_the_tree_keeps_the_rules() -> None:
    files = list(project_files())
    assert len(files) > 300  # the whole project was read
    assert {f.relative_to(ROOT).parts[0] for f in files} >= set(OURS)
    broken = [
        v
        for path in files
        for v in violations(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert not broken, "dependency rules broken:\n" + "\n".join(broken)


def test_the_allowed_sys_path_edit_still_exists() -> None:
    """A file allowed to edit sys.path that no longer does comes off SYS_PATH_ALLOWED."""
    for rel in SYS_PATH_ALLOWED:
        path = ROOT / rel
        if path.exists():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert any(_edits_sys_path(n) for n in ast.walk(tree)), f"{rel}: no longer needed"


BROKEN = [
    ("core/x.py", "import cases.models\n"),
    ("core/x.py", "from knowledge import api\n"),
    ("core/x.py", "def f():\n    from deliberation.actors import Actor\n"),  # lazy
    ("core/x.py", "importlib.import_module('voice.kiosk.app')\n"),
    ("knowledge/api_deps.py", "def f():\n    from cases.api.staff_deps import staff_session\n"),
    ("knowledge/x.py", "import cases\n"),
    ("cases/privacy.py", "def f():\n    from actions.pending import queue_path\n"),
    ("cases/api/x.py", "from actions import pending\n"),
    ("cases/privacy.py", "from conversations.tracker import conversation\n"),
    ("cases/api/x.py", "def f():\n    from conversations import resident_data\n"),
    ("cases/x.py", "import nlu.addons.masking_tracker_store\n"),
    ("conversations/x.py", "from cases.db import normalize_url\n"),
    ("bench/x.py", "from tests.stack import Stack\n"),
    ("bench/x.py", "class B:\n    def run(self):\n        import tests.heldout\n"),
    ("bench/x.py", "subprocess.run([sys.executable, '-m', 'tests.fakes.x'])\n"),
    ("harness/x.py", "from tests import heldout\n"),
    ("harness/x.py", "from bench.machine import machine_info\n"),
    ("voice/x.py", "import harness.stack\n"),
    ("bot/x.py", "from tests.fakes import telegram_api\n"),
    ("actions/x.py", "from bench import routing\n"),
    ("nlu/addons/x.py", "from harness import stack\n"),
    ("chat/x.py", "__import__('tests.paths')\n"),
    ("tests/x.py", "import sys\nsys.path.insert(0, 'here')\n"),
    ("bench/y.py", "import sys\ndef f():\n    sys.path.append('..')\n"),
    ("harness/z.py", "import sys\nsys.path[:0] = ['x']\n"),
    ("voice/z.py", "import site\nsite.addsitedir('x')\n"),
    ("bench/data/src/other.py", "import sys\nsys.path.insert(0, 'x')\n"),
]


@pytest.mark.parametrize(("rel", "source"), BROKEN)
def test_a_broken_rule_is_found(rel: str, source: str) -> None:
    assert violations(rel, source), f"not caught: {rel}: {source!r}"


KEPT = [
    ("core/x.py", "import fastapi\nfrom core.errors import InvalidInput\nimport sys, os\n"),
    ("core/x.py", "from . import errors\nfrom .config import HubSettings\n"),
    ("knowledge/x.py", "import casesx\nfrom core.staff_auth import StaffDep\n"),
    ("cases/x.py", "from core.resident_data import take\nfrom cases.models import Case\n"),
    ("cases/x.py", "from core.resident_data import CONVERSATIONS, conversation_store\n"),
    ("conversations/x.py", "from core.dbsession import normalize_url\nimport conversations\n"),
    ("cases/api/x.py", "from .. import privacy\nfrom ..api import deps\n"),
    ("bench/x.py", "from harness.stack import Stack\nfrom bench.machine import machine_info\n"),
    ("tests/x.py", "from harness import stack\nfrom bench import routing\nimport actions\n"),
    ("harness/x.py", "from harness.stack import ROOT\nfrom core.procfile import process\n"),
    ("nlu/addons/x.py", "from addons.e5_engine import embed_queries\n"),
    ("bench/x.py", "print(sys.path)\nx = [p for p in sys.path]\n"),
    ("bench/x.py", "subprocess.run([sys.executable, '-m', 'bench.nlu_bench'])\n"),
]


@pytest.mark.parametrize(("rel", "source"), KEPT)
def test_what_the_rules_allow_passes(rel: str, source: str) -> None:
    assert violations(rel, source) == []
