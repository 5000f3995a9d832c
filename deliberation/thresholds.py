"""Decision thresholds in the manner of 《民法典》第二百七十八条, counted by households.

Participation: at least two thirds of the households in scope took part (abstaining is taking
part). Approval: more than half of the participating households for ordinary matters, at least
three quarters for major ones (筹集/使用维修资金, 改建重建, 改变共有部分用途 …). The law also
counts floor area; Linli's register holds no areas, so households stand for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Threshold(StrEnum):
    """Which rule applies to a poll."""

    NONE = "none"
    ORDINARY = "ordinary"
    MAJOR = "major"


THRESHOLD_LABELS = {
    Threshold.NONE: "不设门槛",
    Threshold.ORDINARY: "一般事项（参与≥三分之二，同意过半数）",
    Threshold.MAJOR: "重大事项（参与≥三分之二，同意≥四分之三）",
}


@dataclass(frozen=True)
class ThresholdResult:
    """Whether each part of the rule is met."""

    participation_met: bool
    approval_met: bool

    @property
    def met(self) -> bool:
        """Both parts met: the matter passes."""
        return self.participation_met and self.approval_met


def evaluate(
    rule: Threshold, *, eligible: int, participants: int, approvals: int
) -> ThresholdResult | None:
    """Check a poll's counts against the rule (integer arithmetic, no rounding).

    Args:
        rule: The poll's threshold.
        eligible: Households in scope.
        participants: Households that voted (any option, abstaining included).
        approvals: Households that chose the approving option (the poll's first).

    Returns:
        None when the poll has no threshold.
    """
    if rule is Threshold.NONE:
        return None
    participation = eligible > 0 and participants * 3 >= eligible * 2
    if rule is Threshold.MAJOR:
        approval = participants > 0 and approvals * 4 >= participants * 3
    else:
        approval = approvals * 2 > participants
    return ThresholdResult(participation_met=participation, approval_met=approval)
