"""In-memory stand-in for ``CaseClient`` (unit tests of actions and the bot).

It follows the real hub's contract for what channels observe — numbering, idempotency,
masking, validation, confirmation rules, outbox — and ``tests/unit/cases/test_client_contract.py``
runs the same scenario against it and against the real hub to keep the two in step.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cases.access import new_access_code
from cases.alerts import DUTY, STAFF_CHANNEL
from cases.client import CaseClientError, ConfirmResult, HistoryEntry, OutboxItem, ResidentView
from cases.clock import local_day
from cases.events import channel_of
from cases.guesses import LookupGuard
from cases.numbering import format_case_no, normalize_case_no
from cases.statuses import RATING_LABELS, STATUS_LABELS, Rating
from core.contracts import CaseCreate, CasePublic, CategoryInfo, Location, ServiceInfo, Urgency
from core.errors import InvalidInput
from core.localtime import to_local
from core.pii import mask_phone
from core.taxonomy import categories, category_by_code, service_by_code, services


@dataclass
class _Stored:
    public: CasePublic
    sender_id: str | None
    phone: str | None
    history: list[HistoryEntry] = field(default_factory=list)
    rated: bool = False


class FakeCaseClient:
    """A case system in a dict: no routing or SLA tables, same observable contract."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
        self._cases: dict[str, _Stored] = {}
        self._keys: dict[str, str] = {}
        self._seq = itertools.count(1)
        self._outbox: list[OutboxItem] = []
        self._outbox_ids = itertools.count(1)
        self.created: list[CaseCreate] = []
        """Every CaseCreate that created a case (for assertions)."""
        self.guard = LookupGuard()
        """The hub's look-up guess limits and confirmation grants (``cases.guesses``)."""

    def _log(self, stored: _Stored, text: str, status: str | None = None) -> None:
        stored.history.append(
            HistoryEntry(
                at=self.now.isoformat(),
                text=text,
                status=status,
                status_label=STATUS_LABELS.get(status) if status else None,
            )  # fmt: skip
        )

    async def create_case(self, case: CaseCreate) -> CasePublic:
        """Create a case (idempotent by ``idempotency_key``)."""
        if case.idempotency_key and case.idempotency_key in self._keys:
            first = self._cases[self._keys[case.idempotency_key]].public
            return first.model_copy(update={"access_code": new_access_code()})
        if case.category and category_by_code(case.category) is None:
            raise InvalidInput(f"没有这个报事类别：{case.category}")
        if case.service_code and service_by_code(case.service_code) is None:
            raise InvalidInput(f"没有这个办事事项：{case.service_code}")
        category = case.category or ("other" if case.type == "report" else None)
        service = case.service_code or ("other_service" if case.type == "service" else None)
        phone = None if case.contact_declined else case.contact_phone
        day = local_day(self.now)
        cat = category_by_code(category) if category else None
        svc = service_by_code(service) if service else None
        urgency = Urgency.EMERGENCY if case.type == "emergency" else case.urgency
        public = CasePublic(
            case_no=format_case_no(case.type, day, next(self._seq)),
            type=case.type, status="dispatched", status_label=STATUS_LABELS["dispatched"],
            category=category, category_label=cat.name if cat else None,
            service_code=service, service_label=svc.name if svc else None,
            location=case.location, description=case.description, urgency=urgency,
            contact_masked=mask_phone(phone) if phone else None,
            contact_declined=case.contact_declined, applicant=case.applicant,
            time_preference=case.time_preference, channel=case.channel, created_at=self.now,
            due_at=self.now + timedelta(hours=1 if urgency is Urgency.EMERGENCY else 24),
            assignee="工作人员",
        )  # fmt: skip
        stored = _Stored(public=public, sender_id=case.sender_id, phone=phone)
        self._log(stored, "您的事项已受理", "accepted")
        self._log(stored, "已派单给工作人员", "dispatched")
        self._cases[public.case_no] = stored
        if case.idempotency_key:
            self._keys[case.idempotency_key] = public.case_no
        self.created.append(case)
        if case.type == "emergency":
            place = case.location.describe() if case.location else ""
            text = f"【紧急】新的紧急求助 {public.case_no}：{case.description[:100]}；"
            self._alert(public.case_no, f"{text}地点：{place or '还没说'}")
        return public.model_copy(update={"access_code": new_access_code()})

    def _alert(self, case_no: str, text: str) -> None:
        self._outbox.append(OutboxItem(
            id=next(self._outbox_ids), case_no=case_no, channel=STAFF_CHANNEL, recipient=DUTY,
            text=text, created_at=self.now.isoformat(),
        ))  # fmt: skip

    async def add_details(
        self,
        case_no: str,
        sender_id: str,
        *,
        location: Location | None = None,
        contact_phone: str | None = None,
    ) -> CasePublic:
        """Add a location and/or a phone to the resident's own case (staff are alerted)."""
        stored = self._cases.get(normalize_case_no(case_no))
        if stored is None:
            raise CaseClientError(404, f"没有找到编号为 {case_no} 的事项")
        if stored.sender_id is None or stored.sender_id != sender_id:
            raise CaseClientError(403, "这个事项不是您报的")
        if stored.public.status == "closed":
            raise CaseClientError(409, "这个事项已经关闭了")
        has_location = location is not None and any(location.model_dump().values())
        if not has_location and not contact_phone:
            raise InvalidInput("没有要补充的内容")
        update: dict[str, object] = {}
        added = []
        if has_location and location is not None:
            old = stored.public.location.model_dump() if stored.public.location else {}
            merged = Location.model_validate(
                {k: v or old.get(k) for k, v in location.model_dump().items()}
            )
            update["location"] = merged
            added.append(f"地点：{merged.describe()}")
            self._log(stored, f"居民补充了地点：{merged.describe()}")
        if contact_phone:
            stored.phone = "".join(ch for ch in contact_phone if ch.isdigit())
            update.update(contact_masked=mask_phone(stored.phone), contact_declined=False)
            added.append(f"电话：{stored.phone}")
            self._log(stored, f"居民留了联系电话（{mask_phone(stored.phone)}）")
        stored.public = stored.public.model_copy(update=update)
        prefix = "【紧急】" if stored.public.urgency != "normal" else ""
        no = stored.public.case_no
        self._alert(no, f"{prefix}{no} 居民补充了{'，'.join(added)}")
        return stored.public

    async def get_case(self, case_no: str) -> CasePublic | None:
        """A case by number, or None."""
        stored = self._cases.get(normalize_case_no(case_no))
        return stored.public if stored else None

    async def find_case(
        self, last4: str, *, phone_tail: str | None = None, sender_id: str | None = None
    ) -> CasePublic | None:
        """A case by the last 4 digits plus phone tail or sender."""
        if not (phone_tail or sender_id):
            raise InvalidInput("请同时提供手机号后四位，才能查到您的事项")
        for stored in reversed(list(self._cases.values())):
            if not stored.public.case_no.endswith(f"-{last4}"):
                continue
            if phone_tail and not (stored.phone or "").endswith(phone_tail[-4:]):
                continue
            if sender_id and stored.sender_id != sender_id:
                continue
            return stored.public
        return None

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        """A resident's own cases, newest first."""
        mine = [s.public for s in self._cases.values() if s.sender_id == sender_id]
        return list(reversed(mine))[:limit]

    async def resident_lookup(
        self, number: str, phone_tail: str, *, sender_id: str
    ) -> ResidentView | None:
        """A case by number (or last 4) + phone last 4, with the hub's guess limits."""
        if not self.guard.allowed(sender_id, self.now):
            raise CaseClientError(429, "试了好几次都没有查到。为了保护大家的信息，先不能再查了")
        digits, tail = re.sub(r"\D", "", number), re.sub(r"\D", "", phone_tail)
        found = None
        for stored in reversed(list(self._cases.values())):
            no = stored.public.case_no
            if len(tail) != 4 or not (stored.phone or "").endswith(tail):
                continue
            if (len(digits) == 4 and no.endswith(f"-{digits}")) or (
                len(digits) >= 12 and no.endswith(f"-{digits[:8]}-{digits[8:12]}")
            ):
                found = stored
                break
        if found is None:
            self.guard.missed(sender_id, self.now)
            return None
        self.guard.grant(sender_id, found.public.case_no, self.now)
        return ResidentView(case=found.public, history=list(found.history))

    async def get_history(self, case_no: str) -> list[HistoryEntry]:
        """The plain-Chinese history of a case."""
        stored = self._cases.get(normalize_case_no(case_no))
        return list(stored.history) if stored else []

    def resolve(self, case_no: str, note: str = "") -> None:
        """Test helper: staff mark the case 已办结 (the resident is notified)."""
        stored = self._cases[case_no]
        self._set_status(stored, "resolved", note)

    def _set_status(self, stored: _Stored, status: str, note: str = "") -> None:
        stored.public = stored.public.model_copy(
            update={"status": status, "status_label": STATUS_LABELS[status]}
        )
        self._log(stored, f"状态改为“{STATUS_LABELS[status]}”" + (f"：{note}" if note else ""),
                  status)  # fmt: skip
        target = channel_of(stored.sender_id)
        if target is not None:
            text = f"【邻里】您的事项 {stored.public.case_no}：{note or STATUS_LABELS[status]}"
            self._outbox.append(
                OutboxItem(
                    id=next(self._outbox_ids),
                    case_no=stored.public.case_no,
                    channel=target[0],
                    recipient=target[1],
                    text=text,
                    created_at=self.now.isoformat(),
                )  # fmt: skip
            )

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        """Record 解决了 / 部分解决 / 没解决, with the real hub's rules."""
        stored = self._cases.get(normalize_case_no(case_no))
        if stored is None:
            raise CaseClientError(404, f"没有找到编号为 {case_no} 的事项")
        try:
            value = Rating(rating)
        except ValueError as exc:
            raise InvalidInput(f"请求内容有误：rating: {rating}") from exc
        own = stored.sender_id == sender_id
        if not own and not self.guard.granted(sender_id, stored.public.case_no, self.now):
            raise CaseClientError(403, "这个事项不是您报的，无法评价")
        if stored.public.status not in ("resolved", "closed"):
            raise CaseClientError(409, "这个事项还没办结，办结后再请您评价")
        if stored.public.status == "closed" and stored.rated and value is not Rating.UNRESOLVED:
            raise CaseClientError(409, "这个事项已经评价过了，谢谢您")
        stored.rated = True
        self._log(stored, f"居民评价：{RATING_LABELS[value]}")
        if value is Rating.UNRESOLVED:
            self._set_status(stored, "reopened", "居民反馈没解决")
            self._set_status(stored, "dispatched", "退回原处理人继续处理")
            message = "很抱歉还没解决。已重新打开，交回原来的工作人员并升级督办，会尽快处理。"
        elif value is Rating.PARTIAL:
            note = "居民反馈部分解决，没处理完的部分继续跟进"
            if stored.public.status == "closed":
                self._set_status(stored, "reopened", note)
            self._set_status(stored, "in_progress", note)
            due = self.now + timedelta(hours=24)
            stored.public = stored.public.model_copy(update={"due_at": due})
            message = (
                "谢谢您的反馈。没处理完的部分已经交回工作人员继续处理，会在"
                f"{to_local(due):%-m月%-d日%-H点}前办好。"
            )
        else:
            if stored.public.status != "closed":
                stored.public = stored.public.model_copy(
                    update={"status": "closed", "status_label": STATUS_LABELS["closed"]}
                )
                self._log(stored, "状态改为“已关闭”", "closed")
            message = "谢谢您的确认，这件事已办结。"
        return ConfirmResult(case=stored.public, message=message)

    async def list_services(self) -> list[ServiceInfo]:
        """The service catalogue."""
        return [ServiceInfo(code=s.code, name=s.name, materials=list(s.materials), where=s.where,
                            notes=s.notes) for s in services()]  # fmt: skip

    async def get_service(self, code: str) -> ServiceInfo | None:
        """One service, or None."""
        return next((s for s in await self.list_services() if s.code == code), None)

    async def list_categories(self) -> list[CategoryInfo]:
        """The report categories."""
        return [CategoryInfo(code=c.code, name=c.name, department=c.department)
                for c in categories()]  # fmt: skip

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100, recipient: str | None = None
    ) -> list[OutboxItem]:
        """Undelivered messages of a channel (one resident's, with ``recipient``)."""
        return [
            m for m in self._outbox
            if m.channel == channel and m.id > after
            and (recipient is None or m.recipient == recipient)
        ][:limit]  # fmt: skip

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        """Mark messages delivered."""
        before = len(self._outbox)
        self._outbox = [
            m for m in self._outbox
            if not (m.id in ids and (channel is None or m.channel == channel))
        ]  # fmt: skip
        return before - len(self._outbox)

    async def aclose(self) -> None:
        """Nothing to close."""
