"""The action executor of ``python -m actions``: resumes waiting submissions after a restart."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import ActionExecutor

from actions import runtime


class ResumingExecutor(ActionExecutor):
    """Before the first action after a (re)start, resumes retrying submissions a crashed
    predecessor left in the durable queue (module level: Sanic pickles it into its worker).

    Args:
        deps: The composition root's dependencies; pickled with the executor, they are
            installed in Sanic's worker process before its first action.
    """

    def __init__(self, deps: runtime.ActionDeps | None = None) -> None:
        super().__init__()
        self.deps = deps

    async def run(
        self, action_call: dict[str, Any], sink: Any = None, dispatcher: Any = None
    ) -> Any:
        """Resume waiting submissions once, then run the action as usual."""
        if self.deps is not None and runtime.installed() is None:
            runtime.install(self.deps)
        await runtime.resume_pending_once()
        return await super().run(action_call, sink, dispatcher)
