"""Operator CLI of the case system: migrations, staff accounts, Open311 API keys, sweeps.

Examples::

    python -m cases migrate
    python -m cases create-user --role admin --username zhang          # prompts for the password
    CASES_NEW_PASSWORD=... python -m cases create-user --role grid_worker --username wang --grids G1
    python -m cases create-api-key --name city-12345                      # prints the key once
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from cases import auth, lifecycle, privacy
from cases.clock import SystemClock
from cases.config import CasesSettings
from cases.db import make_engine, make_session_factory, session_scope
from cases.migrate import upgrade_to_head
from cases.seed import seed_all
from core.config import HubSettings
from core.errors import InvalidInput
from core.hub import resident_data_owners
from core.logging import setup_logging
from core.resident_data import (
    CONVERSATIONS,
    PENDING_SUBMISSIONS,
    conversation_store,
    delete_all,
    export_all,
    take,
)

PASSWORD_ENV = "CASES_NEW_PASSWORD"


def _read_password(env_name: str) -> str:
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInput(f"没有终端可输入密码：请设置环境变量 {env_name}")
    first = getpass.getpass("密码 / password: ")
    second = getpass.getpass("再输一次 / again: ")
    if first != second:
        raise InvalidInput("两次输入的密码不一致")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cases", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="alembic upgrade head + seed data")
    user = sub.add_parser("create-user", help="create a staff account")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=[r.value for r in auth.Role])
    user.add_argument("--grids", default="", help="comma-separated grid codes (grid_worker)")
    user.add_argument("--display-name", default="")
    user.add_argument(
        "--password-env", default=PASSWORD_ENV,
        help=f"environment variable holding the password (default {PASSWORD_ENV}); "
        "prompted when unset",
    )  # fmt: skip
    pw = sub.add_parser("set-password", help="change a staff password (ends their sessions)")
    pw.add_argument("--username", required=True)
    pw.add_argument("--password-env", default=PASSWORD_ENV)
    key = sub.add_parser("create-api-key", help="create an Open311 API key (printed once)")
    key.add_argument("--name", required=True)
    revoke = sub.add_parser("revoke-api-key", help="revoke the Open311 API keys with a name")
    revoke.add_argument("--name", required=True)
    sub.add_parser("sweep", help="escalate, auto-close silent cases, purge expired personal data")
    for name, text in (
        ("export-resident", "print one resident's data as JSON (by phone and/or sender id)"),
        ("delete-resident", "anonymise one resident's cases and delete their Rasa conversation"),
    ):
        res = sub.add_parser(name, help=text)
        res.add_argument("--phone", default=None)
        res.add_argument("--sender-id", default=None)
        res.add_argument("--operator", default="cli", help="who handles the request (audited)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one operator command; returns the exit status."""
    args = _parser().parse_args(argv)
    hub = HubSettings()
    hub.ensure_data_dir()
    settings = CasesSettings()
    setup_logging("DEBUG" if args.debug else "WARNING")
    engine = make_engine(hub.resolved_cases_url())
    sessions = make_session_factory(engine)
    now = SystemClock().now()
    out = sys.stdout
    try:
        upgrade_to_head(engine)
        with session_scope(sessions) as session:
            seed_all(session, now=now, demo_community=settings.seed_demo_community)
        with session_scope(sessions) as session:
            if args.command == "migrate":
                out.write("数据库已是最新版本\n")
            elif args.command == "create-user":
                password = _read_password(args.password_env)
                grids = [g.strip() for g in args.grids.split(",") if g.strip()]
                auth.create_user(
                    session=session, username=args.username, password=password,
                    role=auth.Role(args.role), now=now, grid_codes=grids,
                    display_name=args.display_name,
                )  # fmt: skip
                out.write(f"已创建用户 {args.username}（{args.role}）\n")
            elif args.command == "set-password":
                password = _read_password(args.password_env)
                auth.set_password(session=session, username=args.username, password=password)
                out.write(f"已修改 {args.username} 的密码\n")
            elif args.command == "create-api-key":
                key = auth.create_api_key(session=session, name=args.name, now=now)
                out.write(f"{key}\n")
                sys.stderr.write("这是唯一一次显示这个 key，请妥善保存。\n")
            elif args.command == "revoke-api-key":
                count = auth.revoke_api_key(session=session, name=args.name)
                out.write(f"已停用 {count} 个 key\n")
            elif args.command == "sweep":
                result = lifecycle.sweep(session=session, now=now, settings=settings)
                purged = privacy.purge_expired(
                    session, now=now, retention_days=settings.retention_days,
                    attachments_root=privacy.attachments_dir(hub.data_dir),
                )  # fmt: skip
                conversations = conversation_store(resident_data_owners(hub))
                events = (
                    None
                    if conversations is None
                    else conversations.purge_idle(now, settings.conversation_retention_hours)
                )
                out.write(
                    f"升级 {len(result.escalated)} 件，自动关闭 {len(result.closed)} 件，"
                    f"清除个人信息 {len(purged)} 件，删除闲置对话记录 {events or 0} 条\n"
                )
            elif args.command in ("export-resident", "delete-resident"):
                resident = privacy.resident_of(
                    session, phone=args.phone, sender_id=args.sender_id, operator=args.operator
                )
                conversations, owners = take(resident_data_owners(hub), CONVERSATIONS)
                pending, owners = take(owners, PENDING_SUBMISSIONS)
                req = privacy.ResidentRequest(
                    phone=args.phone, sender_id=args.sender_id, actor=f"cli:{args.operator}",
                    attachments_root=privacy.attachments_dir(hub.data_dir),
                    conversations=conversations, pending=pending,
                )  # fmt: skip
                if args.command == "export-resident":
                    data = privacy.export_resident(session, req=req, now=now)
                    data.update(export_all(owners, resident))
                    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
                else:
                    deleted = privacy.delete_resident(session, req=req, now=now)
                    tracker = (
                        "对话记录未找到或暂时连不上（请稍后再试一次）"
                        if deleted.tracker_events_deleted is None
                        else f"删除对话记录 {deleted.tracker_events_deleted} 条"
                    )
                    out.write(
                        f"已清除 {len(deleted.cases)} 件事项的个人信息，{tracker}，"
                        f"删除待提交的事项 {deleted.pending_deleted or 0} 件\n"
                    )
                    for owner in owners:
                        done = delete_all([owner], resident, now)[owner.name]
                        said = done if isinstance(done, str) else owner.describe(done)
                        out.write(f"{owner.label}：{said}\n")
    except InvalidInput as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
