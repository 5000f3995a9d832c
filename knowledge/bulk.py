"""Bulk import/export of FAQs as CSV and JSONL, with errors that name the offending line."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from pydantic import ValidationError

from knowledge.models import Faq, FaqStatus
from knowledge.schemas import FaqCreate

COLUMNS = (
    "id",
    "question",
    "alternatives",
    "answer",
    "category",
    "source",
    "valid_until",
    "owner",
    "status",
)
"""CSV header; ``alternatives`` are separated by ``|``."""
REQUIRED = ("question", "answer")
ALT_SEP = "|"
MAX_ROWS = 20_000


class ImportFormatError(ValueError):
    """The uploaded file cannot be imported; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"第{line}行：{message}")
        self.line = line
        self.message = message


@dataclass
class ImportRow:
    """One parsed row: an optional id (update) and the FAQ fields."""

    line: int
    id: int | None
    faq: FaqCreate
    status: str


_FIELD_NAMES = {
    "question": "问题",
    "alternatives": "其他说法",
    "answer": "答案",
    "category": "分类",
    "source": "来源",
    "valid_until": "有效期",
    "owner": "负责人",
    "id": "编号",
}


def _row(line: int, record: dict) -> ImportRow:
    raw_id = record.pop("id", None)
    faq_id: int | None = None
    if raw_id not in (None, ""):
        try:
            faq_id = int(raw_id)
        except (TypeError, ValueError):
            raise ImportFormatError(line, f"编号“{raw_id}”不是数字") from None
    status = (record.pop("status", None) or FaqStatus.ACTIVE).strip()
    if status not in (FaqStatus.ACTIVE, FaqStatus.RETIRED):
        raise ImportFormatError(line, f"状态“{status}”无效，只能是 active 或 retired")
    record = {k: (v if v not in ("",) else None) for k, v in record.items()}
    for key in REQUIRED:
        if not record.get(key) or not str(record[key]).strip():
            raise ImportFormatError(line, f"缺少{_FIELD_NAMES[key]}")
    if record.get("alternatives") is None:
        record["alternatives"] = []
    try:
        faq = FaqCreate.model_validate(record)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else ""
        name = _FIELD_NAMES.get(field, field)
        if field == "valid_until":
            raise ImportFormatError(line, "有效期格式不对，请写成 2026-12-31") from None
        raise ImportFormatError(line, f"{name}不符合要求（{err['msg']}）") from None
    return ImportRow(line, faq_id, faq, status)


def parse_csv(text: str) -> list[ImportRow]:
    """Parse a CSV export (header required).

    Raises:
        ImportFormatError: naming the first bad line.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFormatError(1, "文件是空的")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[ImportRow] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ImportFormatError(1, f"表头无法解析（{exc}）") from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing:
        raise ImportFormatError(1, "表头缺少列：" + "、".join(missing))
    if unknown:
        raise ImportFormatError(1, "表头有不认识的列：" + "、".join(unknown))
    if len(set(header)) != len(header):
        raise ImportFormatError(1, "表头有重复的列")
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFormatError(line, f"CSV 格式错误（{exc}），请检查引号") from None
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ImportFormatError(
                line,
                f"应有{len(header)}列，实际有{len(values)}列（答案里有逗号时请用双引号括起来）",
            )
        record: dict = dict(zip(header, values, strict=True))
        alts = record.get("alternatives") or ""
        record["alternatives"] = [a.strip() for a in alts.split(ALT_SEP) if a.strip()]
        rows.append(_row(line, record))
        if len(rows) > MAX_ROWS:
            raise ImportFormatError(line, f"一次最多导入{MAX_ROWS}条")
    if not rows:
        raise ImportFormatError(2, "没有数据行")
    return rows


def parse_jsonl(text: str) -> list[ImportRow]:
    """Parse JSON Lines (one FAQ object per line).

    Raises:
        ImportFormatError: naming the first bad line.
    """
    rows: list[ImportRow] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(number, f"不是有效的 JSON（{exc.msg}）") from None
        if not isinstance(record, dict):
            raise ImportFormatError(number, "每行应是一个 JSON 对象")
        unknown = [k for k in record if k not in COLUMNS and k not in ("created_at", "updated_at")]
        if unknown:
            raise ImportFormatError(number, "有不认识的字段：" + "、".join(unknown))
        record.pop("created_at", None)
        record.pop("updated_at", None)
        alts = record.get("alternatives")
        if alts is not None and not isinstance(alts, list):
            raise ImportFormatError(number, "其他说法应是列表")
        rows.append(_row(number, record))
        if len(rows) > MAX_ROWS:
            raise ImportFormatError(number, f"一次最多导入{MAX_ROWS}条")
    if not rows:
        raise ImportFormatError(1, "没有数据行")
    return rows


def _export_dict(faq: Faq) -> dict:
    return {
        "id": faq.id,
        "question": faq.question,
        "alternatives": list(faq.alternatives or []),
        "answer": faq.answer,
        "category": faq.category or "",
        "source": faq.source or "",
        "valid_until": faq.valid_until.isoformat() if faq.valid_until else "",
        "owner": faq.owner or "",
        "status": faq.status,
    }


def to_csv(faqs: list[Faq]) -> str:
    """CSV text (with header) that :func:`parse_csv` reads back."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for faq in faqs:
        row = _export_dict(faq)
        row["alternatives"] = ALT_SEP.join(row["alternatives"])
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


def to_jsonl(faqs: list[Faq]) -> str:
    """JSON Lines text that :func:`parse_jsonl` reads back."""
    return "".join(json.dumps(_export_dict(f), ensure_ascii=False) + "\n" for f in faqs)
