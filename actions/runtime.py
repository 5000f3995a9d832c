"""What the action server's actions reach outside themselves, as one typed :class:`ActionDeps`:
the settings, the hub's clients (cases, knowledge, deliberation) and the durable queue of
submissions the hub has not stored yet.

``python -m actions`` (the composition root) builds the object from its settings and installs
it; the executor carries it into Sanic's worker process. Everything is reached through
:func:`deps` (the shortcuts below read it); a process where none was installed builds one from
the environment on first use. The clients and the queue are built on first use (never at
import); unit tests install fakes with :func:`set_clients`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import ActionsSettings

if TYPE_CHECKING:
    from actions.pending import PendingSubmissions
    from cases.client import CaseClientProtocol
    from deliberation.client import DeliberationClient
    from knowledge.client import KnowledgeApi

logger = logging.getLogger(__name__)


@dataclass
class ActionDeps:
    """The action server's dependencies. A client left ``None`` is built from the settings on
    first use (so the object pickles into the worker before any is built)."""

    settings: ActionsSettings
    cases: CaseClientProtocol | None = None
    knowledge: KnowledgeApi | None = None
    deliberation: DeliberationClient | None = None
    pending: PendingSubmissions | None = None

    def __getstate__(self) -> dict[str, object]:
        """Only the settings go into another process: the clients are built again there."""
        return {"settings": self.settings}

    def __setstate__(self, state: dict[str, ActionsSettings]) -> None:
        ActionDeps.__init__(self, state["settings"])

    def case_client(self) -> CaseClientProtocol:
        """The typed client of the hub's case API (``cases.client.CaseClient``)."""
        if self.cases is None:
            from cases.client import CaseClient

            s = self.settings
            self.cases = CaseClient(s.hub_url, s.service_token, timeout=s.hub_timeout_s)
        return self.cases

    def knowledge_client(self) -> KnowledgeApi | None:
        """The typed client of the hub's knowledge API, or None when that part is not installed."""
        if self.knowledge is None:
            try:
                from knowledge.client import KnowledgeClient
            except ImportError:
                logger.warning("knowledge.client not available: consult questions go to staff")
                return None
            s = self.settings
            self.knowledge = KnowledgeClient(s.hub_url, s.service_token, timeout=s.hub_timeout_s)
        return self.knowledge

    def deliberation_client(self) -> DeliberationClient:
        """The typed client of the hub's deliberation API (``deliberation.client``)."""
        if self.deliberation is None:
            from deliberation.client import DeliberationClient

            s = self.settings
            self.deliberation = DeliberationClient(
                s.hub_url, s.service_token, timeout=s.hub_timeout_s
            )
        return self.deliberation

    def pending_queue(self) -> PendingSubmissions:
        """The durable queue of confirmed submissions not yet stored by the hub."""
        if self.pending is None:
            from actions.pending import PendingSubmissions, queue_path

            self.pending = PendingSubmissions(queue_path(self.settings.ensure_data_dir()))
        return self.pending


_deps: ActionDeps | None = None


def deps() -> ActionDeps:
    """The installed dependencies; built from the environment on first use if none were."""
    global _deps
    if _deps is None:
        _deps = ActionDeps(ActionsSettings())
    return _deps


def install(action_deps: ActionDeps) -> None:
    """Use these dependencies from now on (the composition root, the worker's executor)."""
    global _deps
    _deps = action_deps


def installed() -> ActionDeps | None:
    """The dependencies installed or built so far in this process, if any."""
    return _deps


def configure(settings: ActionsSettings) -> None:
    """Use these settings, every client built afresh from them (tests call it)."""
    install(ActionDeps(settings))


def set_clients(
    *,
    cases: CaseClientProtocol | None = None,
    knowledge: KnowledgeApi | None = None,
    deliberation: DeliberationClient | None = None,
) -> None:
    """Install client objects directly (unit tests use fakes that follow the Protocols)."""
    d = deps()
    if cases is not None:
        d.cases = cases
    if knowledge is not None:
        d.knowledge = knowledge
    if deliberation is not None:
        d.deliberation = deliberation


def settings() -> ActionsSettings:
    """The action server's settings."""
    return deps().settings


def case_client() -> CaseClientProtocol:
    """Shortcut: ``deps().case_client()``."""
    return deps().case_client()


def knowledge_client() -> KnowledgeApi | None:
    """Shortcut: ``deps().knowledge_client()``."""
    return deps().knowledge_client()


def deliberation_client() -> DeliberationClient:
    """Shortcut: ``deps().deliberation_client()``."""
    return deps().deliberation_client()


def pending() -> PendingSubmissions:
    """Shortcut: ``deps().pending_queue()``."""
    return deps().pending_queue()


_retry_task: asyncio.Task[None] | None = None
"""This process's background retry of waiting submissions (one at a time)."""


async def flush_pending() -> int:
    """Send every waiting submission to the hub (idempotent); returns how many were stored."""
    from core.errors import ServiceUnavailable

    stored = 0
    for case in await pending().all():
        try:
            created = await case_client().create_case(case)
        except ServiceUnavailable:
            break
        except Exception:  # a rejected payload must not block the queue forever
            logger.exception(
                "Pending submission %s rejected by the hub; kept for staff", case.idempotency_key
            )
            continue
        await pending().remove(case.idempotency_key or "")  # never None: the queue needs one
        logger.info("Pending submission delivered as %s", created.case_no)
        stored += 1
    return stored + await flush_pending_yishi()


async def flush_pending_yishi() -> int:
    """Send every waiting proposal and vote to the hub; returns how many it took. One the hub
    refuses (the poll closed meanwhile, digits that do not match) is dropped and logged: a
    retry would be refused again."""
    from core.errors import ServiceUnavailable
    from deliberation.client import DeliberationClientError
    from deliberation.schemas import ProposalIn, VoteIn

    stored = 0
    for item in await pending().all_yishi():
        try:
            if item.kind == "proposal":
                receipt = await deliberation_client().submit_proposal(
                    ProposalIn.model_validate_json(item.payload)
                )
                logger.info("Waiting proposal delivered as number %s", receipt.number)
            else:
                await deliberation_client().vote(
                    int(item.poll or 0), VoteIn.model_validate_json(item.payload)
                )
                logger.info("Waiting vote delivered on poll %s", item.poll)
            stored += 1
        except ServiceUnavailable:
            break
        except DeliberationClientError as exc:
            logger.warning(
                "Waiting %s refused by the hub (%s); dropped", item.kind, exc.status_code
            )
        await pending().remove_yishi(item.key)
    return stored


def ensure_retrying(interval_s: float | None = None) -> None:
    """Start (once) a background task that retries waiting submissions until none are left.

    Args:
        interval_s: Seconds between attempts; default ``ActionsSettings.pending_retry_s``.
    """
    if interval_s is None:
        interval_s = settings().pending_retry_s

    global _retry_task
    if _retry_task is not None and not _retry_task.done():
        return

    async def loop() -> None:
        while await pending().waiting():
            await asyncio.sleep(interval_s)
            try:
                await flush_pending()
            except Exception:
                logger.exception("Retrying pending submissions failed")

    _retry_task = asyncio.get_running_loop().create_task(loop())


_resumed = False


async def resume_pending_once() -> None:
    """After a (re)start, keep retrying submissions left waiting by the previous process.

    Called before the first action the server runs; cheap afterwards.
    """
    global _resumed
    if _resumed:
        return
    _resumed = True
    try:
        if await pending().waiting():
            logger.info("Submissions from before the restart are waiting: retrying them")
            ensure_retrying()
    except Exception:
        logger.exception("Could not read the pending submissions")
