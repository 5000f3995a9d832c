"""CSV of a poll's result: counts and thresholds only, no household, phone or sender."""

from __future__ import annotations

import csv
import io

from core.localtime import format_local
from deliberation.labels import ELIGIBILITY_LABELS, Eligibility, scope_label
from deliberation.polls import Tally
from deliberation.thresholds import THRESHOLD_LABELS, Threshold


def tally_csv(result: Tally) -> str:
    """One row per option, then the poll's facts (UTF-8 with BOM for spreadsheet programs)."""
    poll = result.poll
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["投票编号", "问题", "选项", "票数", "占参与比例"])
    for option, count in zip(poll.options, result.counts, strict=True):
        share = f"{count / result.participants:.1%}" if result.participants else "0.0%"
        writer.writerow([poll.id, poll.question, option, count, share])
    writer.writerow([])
    facts = [
        ("范围", scope_label(poll.scope, poll.scope_codes)),
        ("投票方式", ELIGIBILITY_LABELS[Eligibility(poll.eligibility)]),
        ("开始时间", format_local(poll.opens_at)),
        ("结束时间", format_local(poll.closes_at)),
        ("状态", result.state),
        ("范围内登记户数", poll.eligible_households),
        ("参与户数", result.households),
        ("参与率", f"{result.turnout:.1%}"),
        ("门槛", THRESHOLD_LABELS[Threshold(poll.threshold)]),
    ]
    if result.threshold is not None:
        facts += [
            ("参与是否达到三分之二", "达到" if result.threshold.participation_met else "未达到"),
            ("同意是否达到要求", "达到" if result.threshold.approval_met else "未达到"),
            ("结果", "通过" if result.threshold.met else "未通过"),
        ]
    for name, value in facts:
        writer.writerow([name, value])
    return out.getvalue()
