"""A local fake of the Telegram Bot API for driving the real python-telegram-bot client.

Implements getMe, deleteWebhook/setWebhook, getUpdates (long poll with offsets), sendMessage,
sendVoice, sendPhoto, sendChatAction, getFile + file download, answerCallbackQuery,
editMessageReplyMarkup/editMessageText, and lets tests inject user updates (text, commands,
voice notes, photos, documents, locations, button presses) and read what the bot sent.
All test-side methods are thread-safe; the server runs in its own thread.

Over 400 lines on purpose: one fake of one API, one method per Bot API call it answers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.fakes.threaded_server import ThreadedServer

TOKEN = "123456789:TEST-fake-token-for-linli-tests"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "邻里小助手",
    "username": "linli_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_PARAMS = {
    "reply_markup",
    "allowed_updates",
    "entities",
    "caption_entities",
    "reply_parameters",
}


@dataclass
class SentCall:
    """One call the bot made (sendMessage, sendVoice …)."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        """The chat it went to (None for methods without a chat)."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """Text or caption ('' when none)."""
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, flattened."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class FakeTelegram:
    """The fake Bot API server and its test controls."""

    def __init__(self, token: str = TOKEN) -> None:
        """Create an empty server (call ``start``)."""
        self.token = token
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.calls: list[SentCall] = []
        self.blocked_chats: set[int] = set()
        """Chats whose user blocked the bot (send* answers 403)."""
        self.get_updates_calls = 0
        routes = [
            Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
        ]
        self._server = ThreadedServer(Starlette(routes=routes))

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Start serving on a free loopback port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    @property
    def base_url(self) -> str:
        """What to give PTB as ``base_url`` (the token is appended)."""
        return f"{self._server.url}/bot"

    @property
    def file_base_url(self) -> str:
        """What to give PTB as ``base_file_url``."""
        return f"{self._server.url}/file/bot"

    # --- the API ----------------------------------------------------------------------------

    async def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = dict(request.query_params)
        files: dict[str, bytes] = {}
        ctype = request.headers.get("content-type", "")
        if "application/json" in ctype:
            body = await request.body()
            if body:
                params.update(json.loads(body))
        elif ctype:
            form = await request.form()
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[key] = await value.read()
                else:
                    params[key] = value
        for key in JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        return params, files

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params, files = await self._params(request)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": f"Not Found: {method}"}, 404
            )
        chat = params.get("chat_id")
        if method.startswith("send") and chat is not None and int(chat) in self.blocked_chats:
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
                403,
            )
        if method == "getUpdates":
            result = await self._m_getUpdates(params)
        else:
            with self._lock:
                result = handler(params, files)
                self.calls.append(SentCall(method, params, files, result))
        return JSONResponse({"ok": True, "result": result})

    async def _file(self, request: Request) -> Response:
        path = request.path_params["path"]
        with self._lock:
            for _file_id, (file_path, data) in self._files.items():
                if file_path == path:
                    return Response(data, media_type="application/octet-stream")
        return Response(status_code=404)

    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return BOT_USER

    def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_getMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return []

    def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _bot_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "居民"},
            "from": BOT_USER,
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        content: dict[str, Any] = {"text": params.get("text", "")}
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        return self._bot_message(int(params["chat_id"]), **content)

    def _store_file(self, data: bytes, suffix: str) -> dict[str, Any]:
        n = next(self._file_ids)
        file_id = f"file-{n}"
        self._files[file_id] = (f"files/{file_id}{suffix}", data)
        return {"file_id": file_id, "file_unique_id": f"u{n}", "file_size": len(data)}

    def _m_sendVoice(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        data = files.get("voice", b"")
        voice = {**self._store_file(data, ".ogg"), "duration": 1, "mime_type": "audio/ogg"}
        return self._bot_message(int(params["chat_id"]), voice=voice)

    def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        data = files.get("photo", b"")
        photo = [{**self._store_file(data, ".jpg"), "width": 100, "height": 100}]
        return self._bot_message(int(params["chat_id"]), photo=photo)

    def _m_getFile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = params["file_id"]
        if file_id not in self._files:
            raise KeyError(file_id)
        file_path, data = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(data),
            "file_path": file_path,
        }

    def _edit(self, params: dict[str, Any], **changes: Any) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._messages.get(key)
        if message is None:
            return True
        message.update(changes)
        if "reply_markup" in changes and not changes["reply_markup"]:
            message.pop("reply_markup", None)
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._edit(params, reply_markup=params.get("reply_markup"))

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._edit(params, text=params.get("text", ""))

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            self.get_updates_calls += 1
        while True:
            with self._lock:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.01)

    # --- test controls: inject updates ------------------------------------------------------

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "居民", "language_code": "zh-hans"}

    def _inject(self, chat_id: int, **content: Any) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "居民"},
                "from": self._user(chat_id),
                **content,
            }
            self._updates.append({"update_id": update_id, "message": message})
        return update_id

    def inject_raw(self, update: dict[str, Any]) -> int:
        """Queue a raw update (tests of duplicates); returns its update_id."""
        with self._lock:
            self._updates.append(update)
        return int(update["update_id"])

    def next_update_id(self) -> int:
        """Reserve an update id (for hand-made raw updates)."""
        with self._lock:
            return next(self._update_ids)

    def send_text(self, chat_id: int, text: str) -> int:
        """The resident types ``text``; commands (``/start``) get a bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._inject(chat_id, **content)

    def send_voice(self, chat_id: int, ogg: bytes, duration: int = 3) -> int:
        """The resident sends a voice note (OGG/Opus bytes)."""
        with self._lock:
            meta = self._store_file(ogg, ".oga")
        voice = {**meta, "duration": duration, "mime_type": "audio/ogg"}
        return self._inject(chat_id, voice=voice)

    def send_photo(self, chat_id: int, jpeg: bytes, caption: str | None = None) -> int:
        """The resident sends a photo (one size)."""
        with self._lock:
            meta = self._store_file(jpeg, ".jpg")
        content: dict[str, Any] = {"photo": [{**meta, "width": 640, "height": 480}]}
        if caption:
            content["caption"] = caption
        return self._inject(chat_id, **content)

    def send_document(self, chat_id: int, data: bytes, mime_type: str, file_name: str) -> int:
        """The resident sends a file."""
        with self._lock:
            meta = self._store_file(data, "")
        document = {**meta, "mime_type": mime_type, "file_name": file_name}
        return self._inject(chat_id, document=document)

    def send_location(self, chat_id: int, latitude: float, longitude: float) -> int:
        """The resident shares a location."""
        return self._inject(chat_id, location={"latitude": latitude, "longitude": longitude})

    def press_button(self, chat_id: int, message_id: int, data: str) -> int:
        """The resident presses an inline button of one of the bot's messages."""
        with self._lock:
            message = self._messages[(chat_id, message_id)]
            update_id = next(self._update_ids)
            self._updates.append(
                {
                    "update_id": update_id,
                    "callback_query": {
                        "id": f"cq-{update_id}",
                        "from": self._user(chat_id),
                        "message": message,
                        "chat_instance": f"ci-{chat_id}",
                        "data": data,
                    },
                }
            )
        return update_id

    # --- test controls: read what the bot did -----------------------------------------------

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[SentCall]:
        """Calls the bot made, optionally filtered by chat and method."""
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if (chat_id is None or c.chat_id == chat_id) and (method is None or c.method == method)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts of the messages sent to a chat, in order."""
        return [c.text for c in self.sent(chat_id, "sendMessage")]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current state of one of the bot's messages (after edits)."""
        with self._lock:
            return self._messages.get((chat_id, message_id))

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot's offset."""
        with self._lock:
            return len(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[SentCall], bool],
        *,
        timeout: float = 30.0,
        start: int = 0,
    ) -> SentCall:
        """Wait until a call from index ``start`` on matches ``predicate``; return it.

        The predicate sees each call once: it must depend on the call only.
        """
        deadline = time.monotonic() + timeout
        index = start
        while True:
            with self._lock:
                calls = self.calls[index:]
            for call in calls:
                if predicate(call):
                    return call
            index += len(calls)
            if time.monotonic() > deadline:
                with self._lock:
                    seen = self.calls[start:]
                got = [(c.method, c.chat_id, c.text[:60]) for c in seen]
                raise AssertionError(f"no matching call within {timeout}s; got {got}")
            await asyncio.sleep(0.02)

    async def wait_text(
        self, chat_id: int, contains: str, *, timeout: float = 30.0, start: int = 0
    ) -> SentCall:
        """Wait for a sendMessage to ``chat_id`` whose text contains ``contains``."""
        return await self.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == chat_id and contains in c.text,
            timeout=timeout,
            start=start,
        )

    def mark(self) -> int:
        """Index of the next call (pass as ``start`` to wait only for later calls)."""
        with self._lock:
            return len(self.calls)
