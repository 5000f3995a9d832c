"""Process-wide clients of the action server, built on first use from the settings (never at
import)."""

from __future__ import annotations

import logging

from core.config import ActionsSettings

logger = logging.getLogger(__name__)

_settings: ActionsSettings | None = None
_case_client = None
_kb_client = None
_deliberation_client = None


def configure(settings: ActionsSettings) -> None:
    """Use these settings (called by ``python -m actions``; tests may call it too)."""
    global _settings, _case_client, _kb_client, _deliberation_client, _pending
    _settings, _case_client, _kb_client, _deliberation_client = settings, None, None, None
    _pending = None


def settings() -> ActionsSettings:
    """The action server's settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = ActionsSettings()
    return _settings


def case_client():  # type: ignore[no-untyped-def]
    """The typed client of the hub's case API (``cases.client.CaseClient``)."""
    global _case_client
    if _case_client is None:
        from cases.client import CaseClient

        s = settings()
        _case_client = CaseClient(s.hub_url, s.service_token, timeout=s.hub_timeout_s)
    return _case_client


def knowledge_client():  # type: ignore[no-untyped-def]
    """The typed client of the hub's knowledge API, or None when that part is not installed."""
    global _kb_client
    if _kb_client is None:
        try:
            from knowledge.client import KnowledgeClient
        except ImportError:
            logger.warning("knowledge.client not available: consult questions go to staff")
            return None
        s = settings()
        _kb_client = KnowledgeClient(s.hub_url, s.service_token, timeout=s.hub_timeout_s)
    return _kb_client


def deliberation_client():  # type: ignore[no-untyped-def]
    """The typed client of the hub's deliberation API (``deliberation.client``)."""
    global _deliberation_client
    if _deliberation_client is None:
        from deliberation.client import DeliberationClient

        s = settings()
        _deliberation_client = DeliberationClient(
            s.hub_url, s.service_token, timeout=s.hub_timeout_s
        )
    return _deliberation_client


def set_clients(*, cases=None, knowledge=None, deliberation=None) -> None:  # type: ignore[no-untyped-def]
    """Install client objects directly (unit tests use fakes that follow the Protocols)."""
    global _case_client, _kb_client, _deliberation_client
    if cases is not None:
        _case_client = cases
    if knowledge is not None:
        _kb_client = knowledge
    if deliberation is not None:
        _deliberation_client = deliberation


_pending = None
_retry_task = None


def pending():  # type: ignore[no-untyped-def]
    """The durable queue of confirmed submissions not yet stored by the hub."""
    global _pending
    if _pending is None:
        from actions.pending import PendingSubmissions, queue_path

        _pending = PendingSubmissions(queue_path(settings().ensure_data_dir()))
    return _pending


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
        await pending().remove(case.idempotency_key)
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
    import asyncio

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
