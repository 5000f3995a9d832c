"""Telegram handlers: commands, text, voice notes, photos, locations, buttons, errors."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.attachments import ATTACHMENT_TYPES, recent_case
from bot.ids import chat_ref, sender_of
from bot.keyboards import (
    MODE_DATA,
    NOTICE_MENU,
    NOTICE_PREFIX,
    RASA_PREFIX,
    RATE_PREFIX,
    TOKEN_PREFIX,
    mode_keyboard,
)
from bot.speech import Unclear
from bot.state import CustomContext
from bot.store import ChatPrefs
from cases.client import CaseClientError
from core.errors import InvalidInput, LinliError, ServiceUnavailable
from core.textnorm import normalize_text

logger = logging.getLogger(__name__)


async def gate(update: Update, context: CustomContext) -> None:
    """Stop updates from chats that are not allowed (when an allow-list is configured)."""
    allowed = context.services.settings.allowed_chats
    chat = update.effective_chat
    if not allowed or chat is None or chat.id in allowed:
        if chat is not None and context.services.notices is not None:
            await context.services.notices.seen(chat.id)
        return
    logger.info("Update from %s not in the allow-list ignored", chat_ref(chat.id))
    if update.effective_message is not None and update.message is not None:
        try:
            await update.message.reply_text(texts.NOT_ALLOWED)
        except TelegramError:
            pass
    raise ApplicationHandlerStop


async def start(update: Update, context: CustomContext) -> None:
    """Say what the bot can do and how privacy is handled."""
    assert update.effective_message is not None and update.effective_chat is not None
    elder = (await context.services.store.aio.prefs(update.effective_chat.id)).elder_mode
    text = texts.for_mode(texts.START, elder)
    await update.effective_message.reply_text(text, reply_markup=mode_keyboard())
    if elder:
        await context.services.dialogue.send_voice(update.effective_chat.id, text)


async def help_command(update: Update, context: CustomContext) -> None:
    """Show example sentences and the commands."""
    assert update.effective_message is not None and update.effective_chat is not None
    elder = (await context.services.store.aio.prefs(update.effective_chat.id)).elder_mode
    await update.effective_message.reply_text(texts.for_mode(texts.HELP, elder))


async def status(update: Update, context: CustomContext) -> None:
    """List the resident's own cases with their status."""
    assert update.effective_message is not None and update.effective_chat is not None
    try:
        cases = await context.services.cases.list_cases_for_sender(
            sender_of(update.effective_chat.id), limit=5
        )
    except LinliError as exc:
        logger.warning("Case list failed: %s", exc)
        await update.effective_message.reply_text(texts.STATUS_FAILED)
        return
    if not cases:
        await update.effective_message.reply_text(texts.NO_CASES)
        return
    lines = [texts.CASES_HEADER]
    for case in cases:
        what = case.category_label or case.service_label or case.description[:12] or "工单"
        lines.append(
            texts.CASE_LINE.format(case_no=case.case_no, what=what, status=case.status_label)
        )
    lines.append(texts.ELSEWHERE_HINT)
    await update.effective_message.reply_text("\n".join(lines))


async def toggle_mode(chat_id: int, context: CustomContext) -> str:
    """Switch 长辈模式 for a chat and return what to tell the resident."""
    _, prefs = await context.services.store.aio.update_prefs(chat_id, _flip_elder_mode)
    return texts.MODE_ON if prefs.elder_mode else texts.MODE_OFF


def _flip_elder_mode(prefs: ChatPrefs) -> None:
    prefs.elder_mode = not prefs.elder_mode


async def mode(update: Update, context: CustomContext) -> None:
    """Turn 长辈模式 (voice replies, bigger buttons) on or off."""
    assert update.effective_message is not None and update.effective_chat is not None
    reply = await toggle_mode(update.effective_chat.id, context)
    await update.effective_message.reply_text(reply)
    if (await context.services.store.aio.prefs(update.effective_chat.id)).elder_mode:
        await context.services.dialogue.send_voice(update.effective_chat.id, reply)


async def human(update: Update, context: CustomContext) -> None:
    """Hand the conversation to a person (the dialogue creates a call-back task)."""
    assert update.effective_chat is not None
    await context.services.dialogue.submit(
        update.effective_chat.id, update.update_id, texts.HUMAN_TEXT
    )


async def notice_settings(update: Update, context: CustomContext) -> None:
    """/tongzhi or 通知设置: which building the resident lives in, 都要, 不要通知."""
    assert update.effective_chat is not None
    await show_notice_menu(update.effective_chat.id, context)


async def show_notice_menu(chat_id: int, context: CustomContext) -> None:
    """Send the notice setting question with its buttons."""
    notices = context.services.notices
    if notices is None:
        return
    elder = (await context.services.store.aio.prefs(chat_id)).elder_mode
    text, markup = await notices.menu(chat_id, elder_mode=elder)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    if elder:
        await context.services.dialogue.send_voice(chat_id, text)


async def _notice_choice(update: Update, context: CustomContext, choice: str) -> None:
    """A notice-setting button: open the menu, or save the choice and say so."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    notices = context.services.notices
    await query.answer()
    if notices is None:
        return
    if choice == NOTICE_MENU[len(NOTICE_PREFIX) :]:
        await show_notice_menu(chat_id, context)
        return
    reply = await notices.choose(chat_id, choice)
    if reply != texts.NOTICE_SET_UNKNOWN:
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError:
            pass
    await context.bot.send_message(chat_id, reply)
    if (await context.services.store.aio.prefs(chat_id)).elder_mode:
        await context.services.dialogue.send_voice(chat_id, reply)


async def on_text(update: Update, context: CustomContext) -> None:
    """Relay a typed message to the dialogue (Traditional input accepted)."""
    assert update.effective_message is not None and update.effective_chat is not None
    text = normalize_text(update.effective_message.text or "")
    if not text:
        return
    await context.services.dialogue.submit(update.effective_chat.id, update.update_id, text)


async def on_voice(update: Update, context: CustomContext) -> None:
    """Recognise a voice note, show what was heard, then continue as if it had been typed."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    services = context.services
    media = message.voice or message.audio
    if media is None:
        return
    item_id = await services.dialogue.reserve(chat_id, update.update_id)
    if item_id is None:
        logger.info("Duplicate voice update %d ignored", update.update_id)
        return
    text: str | None = None
    try:
        try:
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            pass
        if media.duration and media.duration > services.settings.max_voice_s:
            raise Unclear("too long", "这段语音有点长，请分成几句，每句说短一点。")
        file = await media.get_file()
        data = bytes(await file.download_as_bytearray())
        expect = (await services.store.aio.prefs(chat_id)).expect
        text = await services.speech.recognise(data, expect)
    except Unclear as exc:
        logger.info("Voice note unclear: %s", exc)
        await message.reply_text(exc.user_message)
    except (TelegramError, LinliError, OSError):
        logger.exception("Voice note failed")
        await message.reply_text(texts.VOICE_FAILED)
    finally:
        if text:
            context.chat_data.last_heard = text
            context.chat_data.voice_notes += 1
            await message.reply_text(texts.HEARD.format(text=text))
        await services.dialogue.complete(chat_id, item_id, normalize_text(text) if text else None)


async def _keep_or_attach(
    update: Update, context: CustomContext, kind: str, **fields: object
) -> None:
    """Attach to the chat's just-created case, or keep it until the case number arrives."""
    assert update.effective_message is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    services = context.services
    await services.store.aio.add_attachment(chat_id, kind, **fields)
    prefs = await services.store.aio.prefs(chat_id)
    case_no = None if prefs.expect else recent_case(prefs, services.settings.attach_window_s)
    if case_no is not None:
        from bot.attachments import attach_pending

        kinds = await attach_pending(services.store, services.cases, chat_id, case_no)
        if kinds:
            template = texts.PHOTO_ATTACHED if kind == "photo" else texts.LOCATION_ATTACHED
            await update.effective_message.reply_text(template.format(case_no=case_no))
            return
    await update.effective_message.reply_text(
        texts.PHOTO_KEPT if kind == "photo" else texts.LOCATION_KEPT
    )


async def on_photo(update: Update, context: CustomContext) -> None:
    """Keep a photo for the case being reported (size and type limited)."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    limit = context.services.settings.max_photo_bytes
    if message.photo:
        sizes = [p for p in message.photo if not p.file_size or p.file_size <= limit]
        if not sizes:
            await message.reply_text(texts.PHOTO_TOO_BIG)
            return
        media, content_type, filename = (
            max(sizes, key=lambda p: p.width * p.height),
            "image/jpeg",
            None,
        )
    elif message.document is not None:
        media, content_type = message.document, message.document.mime_type or ""
        filename = message.document.file_name
        if content_type not in ATTACHMENT_TYPES:
            await message.reply_text(texts.PHOTO_BAD_TYPE)
            return
        if media.file_size and media.file_size > limit:
            await message.reply_text(texts.PHOTO_TOO_BIG)
            return
    else:
        return
    file = await media.get_file()
    data = bytes(await file.download_as_bytearray())
    if len(data) > limit:
        await message.reply_text(texts.PHOTO_TOO_BIG)
        return
    if not _looks_like_image(data):
        await message.reply_text(texts.PHOTO_BAD_TYPE)
        return
    await _keep_or_attach(
        update,
        context,
        "photo",
        data=data,
        content_type=content_type,
        filename=filename or f"tg-{media.file_unique_id}.jpg",
    )
    if message.caption:
        await context.services.dialogue.submit(
            update.effective_chat.id, update.update_id, normalize_text(message.caption)
        )


def _looks_like_image(data: bytes) -> bool:
    """JPEG, PNG or WebP by magic bytes."""
    return (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


async def on_location(update: Update, context: CustomContext) -> None:
    """Keep a shared location for the case being reported."""
    message = update.effective_message
    assert message is not None and message.location is not None
    await _keep_or_attach(
        update,
        context,
        "location",
        latitude=message.location.latitude,
        longitude=message.location.longitude,
    )


async def on_button(update: Update, context: CustomContext) -> None:
    """Handle an inline button: a Rasa payload, the confirmation question, or 长辈模式."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    data = query.data or ""
    services = context.services
    if data.startswith(RATE_PREFIX):
        await _rate(update, context, data[len(RATE_PREFIX) :])
        return
    if data.startswith(NOTICE_PREFIX):
        await _notice_choice(update, context, data[len(NOTICE_PREFIX) :])
        return
    await query.answer()
    if data == MODE_DATA:
        reply = await toggle_mode(chat_id, context)
        await context.bot.send_message(chat_id, reply)
        return
    if data.startswith(RASA_PREFIX):
        payload = data[len(RASA_PREFIX) :]
        title = _button_title(query, data) or ""
    elif data.startswith(TOKEN_PREFIX):
        token = data[len(TOKEN_PREFIX) :]
        found = await services.store.aio.button(token, chat_id)
        if found is None:
            await context.bot.send_message(chat_id, texts.ERROR)
            return
        title, payload = found
    else:
        logger.info("Unknown callback data ignored")
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError:
        pass
    if shown := chosen_title(title):
        await context.bot.send_message(chat_id, texts.CHOSEN.format(title=shown))
    await services.dialogue.submit(chat_id, update.update_id, payload, kind="button")


def chosen_title(title: str | None) -> str | None:
    """The pressed button's label to echo back ("您选了：对"), or None when it is not a label a
    person reads: a payload such as ``/affirm`` is never echoed (issue 14 item 7)."""
    shown = (title or "").strip("👉👈 ")
    internal = shown.isascii() and re.search(r"[A-Za-z_]", shown) is not None
    return None if not shown or shown.startswith("/") or internal else shown


def _button_title(query: object, data: str) -> str | None:
    """The label of the pressed button (from the message's keyboard)."""
    message = getattr(query, "message", None)
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or []:
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None


async def _rate(update: Update, context: CustomContext, rest: str) -> None:
    """Send 解决了 / 部分解决 / 没解决 for a case to the case system."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    case_no, _, rating = rest.rpartition(":")
    chat_id = update.effective_chat.id
    try:
        result = await context.services.cases.confirm(case_no, sender_of(chat_id), rating)
    except (ServiceUnavailable, InvalidInput) as exc:
        logger.warning("Confirmation of %s failed: %s", case_no, exc)
        await query.answer(texts.RATE_FAILED, show_alert=True)
        return
    except CaseClientError as exc:
        await query.answer()
        await context.bot.send_message(chat_id, exc.detail)
        return
    await query.answer()
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError:
        pass
    await context.bot.send_message(chat_id, result.message or texts.RATE_THANKS.get(rating, ""))


async def error_handler(update: object, context: CustomContext) -> None:
    """Log any exception from a handler and tell the resident gently."""
    logger.error("Exception while handling an update:", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError:
            pass
