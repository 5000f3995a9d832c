"""The action executor of ``python -m actions``: resumes waiting submissions after a restart."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import ActionExecutor

from actions import runtime


class ResumingExecutor(ActionExecutor):
    """Before the first action after a (re)start, resumes retrying submissions a crashed
    predecessor left in the durable queue (module level: Sanic pickles it into its worker)."""

    async def run(
        self, action_call: dict[str, Any], sink: Any = None, dispatcher: Any = None
    ) -> Any:
        """Resume waiting submissions once, then run the action as usual."""
        await runtime.resume_pending_once()
        return await super().run(action_call, sink, dispatcher)
