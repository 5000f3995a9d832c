"""Grid routing: which grid, department and worker a new case goes to (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.contracts import CaseType
from core.taxonomy import category_by_code


@dataclass(frozen=True)
class WorkerRef:
    """A worker as the routing rules see them."""

    id: int
    label: str
    level: int
    grid_code: str | None
    department_code: str | None


@dataclass(frozen=True)
class RoutingTable:
    """A snapshot of the routing data: buildings → grids, categories → departments, workers."""

    building_grid: dict[str, str]
    """Building code ('5') → grid code ('G2')."""
    rules: dict[str, tuple[str, str]]
    """Category code → (department code, handler 'department' | 'grid')."""
    workers: tuple[WorkerRef, ...] = field(default_factory=tuple)

    def grid_worker(self, grid_code: str) -> WorkerRef | None:
        """The level-0 grid worker (网格员) of a grid."""
        return next(
            (
                w
                for w in self.workers
                if w.level == 0 and w.grid_code == grid_code and w.department_code is None
            ),
            None,
        )

    def department_worker(self, department: str, grid_code: str | None) -> WorkerRef | None:
        """A level-0 handler of a department, preferring the one responsible for the grid."""
        candidates = [w for w in self.workers if w.level == 0 and w.department_code == department]
        for w in candidates:
            if grid_code is not None and w.grid_code == grid_code:
                return w
        return next((w for w in candidates if w.grid_code is None), None)

    def supervisor(self, level: int) -> WorkerRef | None:
        """The supervisor at an escalation level (1 社区, 2 街道)."""
        return next((w for w in self.workers if w.level == level), None)


@dataclass(frozen=True)
class RouteDecision:
    """Where a case goes."""

    grid_code: str | None
    department: str
    worker: WorkerRef | None
    reason: str


DEFAULT_DEPARTMENT = "社区"
SERVICE_DEPARTMENT = "民政"
EMERGENCY_DEPARTMENT = "安全"


def normalize_building(text: str | None) -> str | None:
    """'5号楼' / '５栋' / '5' → '5' (None when nothing usable)."""
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        return str(int(digits))
    stripped = text.replace("号楼", "").replace("栋", "").replace("幢", "").strip()
    return stripped or None


def route(
    table: RoutingTable,
    *,
    case_type: CaseType,
    category: str | None,
    building: str | None,
) -> RouteDecision:
    """Decide grid, department and worker for a new case.

    Rules: the building gives the grid; the routing table (or the category's default
    department) gives the department; the handler is the department's worker for that grid,
    else its general worker, else the grid worker, else the community duty desk (level 1).
    Service cases go to 民政, call-backs to the community desk, emergencies to 安全 and the
    grid worker at once.
    """
    building_code = normalize_building(building)
    grid_code = table.building_grid.get(building_code) if building_code else None

    handler = "department"
    if case_type is CaseType.SERVICE:
        department = SERVICE_DEPARTMENT
    elif case_type is CaseType.CALLBACK:
        department, handler = DEFAULT_DEPARTMENT, "community"
    elif case_type is CaseType.EMERGENCY:
        department, handler = EMERGENCY_DEPARTMENT, "grid"
    elif category and category in table.rules:
        department, handler = table.rules[category]
    else:
        cat = category_by_code(category) if category else None
        department = cat.department if cat else DEFAULT_DEPARTMENT
        handler = "grid"

    worker: WorkerRef | None = None
    if handler == "department":
        worker = table.department_worker(department, grid_code)
        reason = f"按类别派给{department}"
    elif handler == "grid":
        reason = "按楼栋派给所在网格"
    else:
        reason = "转社区值班人员回电"
    if worker is None and handler != "community" and grid_code is not None:
        worker = table.grid_worker(grid_code)
        if handler == "department":
            reason = f"{department}暂无专人，派给所在网格"
    if worker is None:
        worker = table.supervisor(1)
        if handler != "community":
            reason = "楼栋不明确，先由社区值班人员处理"
    return RouteDecision(grid_code=grid_code, department=department, worker=worker, reason=reason)
