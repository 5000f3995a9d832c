"""议事 dialogue rules as pure functions: what one message changes in the proposal and vote forms.

The form validation actions (``actions/yishi_forms.py``) call these once per turn, as the 报事 /
办事 forms call ``actions/form_logic.py``; no Rasa needed to test them.
"""

from __future__ import annotations

import re

from actions.case_ref import forgot_it
from actions.form_logic import TurnResult
from actions.parsing import (
    is_no,
    is_substantive,
    is_yes,
    merge_location,
    parse_applicant,
    parse_location,
    prepare,
)
from core.textnorm import chinese_punctuation

FORGOT_LAST4 = (
    "记不清也不要紧，可以问问家里人登记的是哪个手机号，也可以到社区服务中心投票；不投了就说“算了”。"
)
"""The resident does not remember the household's phone: the ways out (the form asks again)."""

MAX_PROPOSAL_CHARS = 1000
"""The hub's limit for a proposal's text (``DELIB_MAX_TEXT_CHARS``)."""
MESSAGE_MAX_CHARS = 500
"""What the NLU keeps of one message (``nlu/addons/traditional.py``): a longer one arrives cut."""
TOO_LONG = f"您说的内容比较长，我先记下了前面{MESSAGE_MAX_CHARS}个字，工作人员审核时会看到。"
NO_REASON = "-"
"""``proposal_why`` when the resident chose not to give a reason (a filled slot, never said)."""

_PROPOSAL_OPENERS = re.compile(
    r"^(?:那个|嗯|额|呃|就是|我说|你好|您好|[，,。. …\s])*"
    r"(?:我|俺|咱|我们)?(?:想|要|有)?(?:给(?:社区|小区|居委会|你们|大家))?"
    r"(?:提|发起|说)?(?:一|个|一个|一条|条)?(?:小)?"
    r"(?:建议|提议|意见建议|议事|想法|点子|好主意|主意|意见)"
    r"(?:给(?:社区|小区|居委会|你们|大家))?(?:说说|讲讲|听听|哈|啊|呀)?[，,。.:：！!\s]*"
)
_ANNOUNCEMENT_WORDS = re.compile(
    r"好主意|主意|建议|提议|意见|想法|点子|议事|琢磨|寻思|想了想|发起|商量|提一提|提提|提|说说|说一说|"
    r"讲讲|听听|一下|社区|小区|居委会|你们|大家|大伙儿?|我们|俺们|咱们|那个|这个|就是|一个|一条|"
    r"一件|一起|考虑|决定|投票|议一议|"
    r"有点|这儿|这里|"
    r"[我俺咱想要有了个条小跟给和向嗯额呃哈啊呀吧呢的说讲件事这让议儿]"
)
_SKIP_REASON = re.compile(
    r"不用了?|不说了?|没有了?|没啥|没什么|跳过|不用说|不想说|就这样|就这些|没了|不必了?|不讲了?"
)
_SKIP_MAX_CHARS = 8
"""A longer answer that contains 不用 is a reason, not a skip ("不用再绕远路去倒垃圾了")."""
_WHOLE_COMMUNITY = re.compile(
    r"整个小区|全小区|全体|整个社区|全社区|大家|所有人|小区里|小区的|全部|全体居民"
)
_GRID = re.compile(r"(?:第)?([一二三四1-4])\s*(?:网格|片区)|[Gg]\s*([1-4])")
_GRID_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_LAST4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

_OPTION_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"不同意|不赞成|反对|不支持|不行|不要|不好"), "不同意"),
    (re.compile(r"弃权|不表态|都行|无所谓|不投|随便"), "弃权"),
    (re.compile(r"同意|赞成|支持|可以|好的|行|投一票|赞同"), "同意"),
)
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ORDINAL = re.compile(r"第\s*([一二两三四1-4])\s*(?:个|项|种|条)?|^([1-4])$|选\s*([1-4一二三四])")


def proposal_text(text: str) -> str:
    """What the resident proposes, without the words that only announce a proposal
    ("我想提个建议，小区多装充电桩" → "小区多装充电桩"); "" when nothing else was said."""
    cleaned = text.strip()
    for _ in range(2):  # "我想提个建议，就是…我的建议是…"
        cleaned = _PROPOSAL_OPENERS.sub("", cleaned, count=1).strip()
    cleaned = re.sub(r"^(?:就是|是|呢|我的建议是|建议是)[，,：:\s]*", "", cleaned).strip()
    cleaned = re.sub(
        r"[，,。\s]*(?:我|俺)?(?:想|要)?提(?:个|一个|条)建议[。！!]?$", "", cleaned
    ).strip()
    if not is_substantive(cleaned) or announces_only(cleaned):
        return ""
    return chinese_punctuation(cleaned)[:MAX_PROPOSAL_CHARS]


def announces_only(text: str) -> bool:
    """True for words that only say a proposal is coming ("我琢磨了个主意，想跟社区提一提")."""
    rest = _ANNOUNCEMENT_WORDS.sub("", prepare(text))
    return len(re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", rest)) < 2


_PROPOSAL_WORDS = re.compile(r"建议|提议|点子|主意|想法|倡议|提倡")
"""Words that say outright that the message is a proposal."""
_FAULT_WORDS = re.compile(
    r"坏|漏|堵|不亮|不通|故障|失灵|停了|断了|没水|没电|裂|塌|掉下|脱落|老合不上|关不上|打不开|修"
)
"""Words of something broken: a message with them and no proposal word is a report."""
_SOFT_PROPOSAL = re.compile(
    r"能不能|可不可以|能否|可否|要是能|最好|增设|加装|多装|多设|多建|多种|多放|多摆|摆几|办个|办一个|"
    r"组织|开展|设立|开设|改造成|改成|换成"
)
"""Ways of asking for something new (能不能摆几张石凳子): a proposal unless something is broken."""


def is_report_not_proposal(text: str, requested: str | None, intent: str | None) -> bool:
    """True when a message inside the proposal form reports a problem instead.

    "我这儿有点事想跟社区说一下" reads as a proposal; when the resident then says what it is and it
    is a fault ("电梯门老合不上，一直开开关关的"), the NLU reads a report and no proposal word is in
    it: the assistant takes it as 报事 rather than asking where and why for a "proposal". Only the
    answer to the first question counts: a reason ("因为路灯坏了太黑") may sound like a report.
    """
    if intent != "report" or requested != "proposal_what":
        return False
    prepared = prepare(text)
    if _PROPOSAL_WORDS.search(prepared):
        return False
    return bool(_FAULT_WORDS.search(prepared)) or not _SOFT_PROPOSAL.search(prepared)


def _skips(prepared: str) -> bool:
    return len(prepared) <= _SKIP_MAX_CHARS and bool(_SKIP_REASON.search(prepared))


def skips_reason(requested: str | None, text: str) -> bool:
    """True when the words answer the why-question with "不用了 / 不说了" (not "不提了 / 取消")."""
    prepared = prepare(text)
    return (
        requested == "proposal_why"
        and _skips(prepared)
        and not re.search(r"取消|不提|不要提|算了吧?不|不弄了|撤回", prepared)
    )


def parse_scope(text: str) -> dict[str, str | None] | None:
    """Where a proposal applies: {"scope": "community" | "building" | "grid", "place": …}."""
    prepared = prepare(text)
    if m := _GRID.search(prepared):
        digit = m.group(1) or m.group(2)
        return {"scope": "grid", "place": "G" + _GRID_DIGITS.get(digit, digit)}
    location = parse_location(text)
    if location is not None and location.building:
        return {"scope": "building", "place": location.building}
    if _WHOLE_COMMUNITY.search(prepared) or prepared in {"小区", "社区", "全部", "都是"}:
        return {"scope": "community", "place": None}
    if location is not None and location.landmark:
        # a place outside the buildings (小区广场, 东门) concerns everyone
        return {"scope": "community", "place": None}
    return None


def scope_text(scope: dict | None) -> str:
    """The scope in words: 整个小区 / 5号楼 / 第2网格."""
    if not scope or scope.get("scope") == "community":
        return "整个小区"
    place = str(scope.get("place") or "")
    if scope.get("scope") == "grid":
        return f"第{place.lstrip('Gg')}网格"
    return f"{place}号楼"


def parse_option(text: str, options: list[str]) -> str | None:
    """Which of a poll's options the words choose: the option's own words, its number
    ("第二个"), or the usual ways of saying 同意 / 不同意 / 弃权; None when unclear."""
    prepared = prepare(text)
    if not prepared:
        return None
    for option in sorted(options, key=len, reverse=True):  # 不同意 before 同意
        if option and option in prepared:
            return option
    if m := _ORDINAL.search(prepared):
        number = _ORDINALS.get(next(g for g in m.groups() if g), 0)
        if 1 <= number <= len(options):
            return options[number - 1]
    for pattern, word in _OPTION_WORDS:
        if pattern.search(prepared) and word in options:
            return word
    if is_no(prepared) and "不同意" in options:
        return "不同意"
    if is_yes(prepared) and "同意" in options:
        return "同意"
    return None


def parse_last4(text: str) -> str | None:
    """The last four digits of a phone: four digits said, or the tail of a whole number."""
    prepared = prepare(text)
    if m := _MOBILE.search(prepared):
        return m.group(0)[-4:]
    found = _LAST4.findall(prepared)
    return found[-1] if len(found) == 1 else None


def parse_relation(text: str) -> str | None:
    """Who votes for the household when it is not the resident: 母亲, 父亲, … (None: 本人)."""
    relation = parse_applicant(text)
    return None if relation in (None, "本人") else relation


def _household(text: str, old: dict | None) -> dict | None:
    location = parse_location(text)
    if location is None or not (location.building or location.unit or location.room):
        return None
    merged = merge_location(old, location) if old else location
    return merged.model_dump(exclude_none=True, exclude={"raw", "landmark"})


def household_missing(household: dict | None) -> list[str]:
    """What is still missing of building / unit / room."""
    household = household or {}
    return [part for part in ("building", "unit", "room") if not household.get(part)]


def household_text(household: dict | None) -> str:
    """5号楼2单元301室 (only the parts known)."""
    household = household or {}
    out = ""
    if household.get("building"):
        out += f"{household['building']}号楼"
    if household.get("unit"):
        out += f"{household['unit']}单元"
    if household.get("room"):
        out += f"{household['room']}室"
    return out


def proposal_turn(text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
    """Slot updates for one message of the proposal form."""
    result = TurnResult()
    if requested is None:  # the opening message: a proposal said in full fills what it can
        # nothing left over from an earlier, unfinished form may skip a question or the read-back
        result.updates.update(
            proposal_what=None, proposal_where=None, proposal_why=None, confirmed=None,
            correcting=False,
        )  # fmt: skip
        what = proposal_text(text)
        if what:
            result.updates["proposal_what"] = what
            if (scope := parse_scope(what)) and scope["scope"] != "community":
                result.updates["proposal_where"] = scope
        return result
    if requested == "proposal_what":
        what = proposal_text(text) or (text.strip() if is_substantive(text) else "")
        if what and not (is_yes(text) or is_no(text)):
            result.updates["proposal_what"] = chinese_punctuation(what)[:MAX_PROPOSAL_CHARS]
    if len(text.strip()) >= MESSAGE_MAX_CHARS and requested in (None, "proposal_what"):
        result.problem = TOO_LONG
    elif requested == "proposal_where":
        if scope := parse_scope(text):
            result.updates["proposal_where"] = scope
        elif is_no(text) or intent == "deny":
            result.updates["proposal_where"] = {"scope": "community", "place": None}
    elif requested == "proposal_why":
        prepared = prepare(text)
        if _skips(prepared) or (len(prepared) <= 4 and (intent == "deny" or is_no(text))):
            result.updates["proposal_why"] = NO_REASON
        elif is_substantive(text):
            result.updates["proposal_why"] = chinese_punctuation(text.strip())[:MAX_PROPOSAL_CHARS]
    elif requested == "confirmed":
        if (
            slots.get("correcting")
            and not (is_yes(text) or is_no(text) or parse_scope(text))
            and is_substantive(text)
        ):  # after "哪里不对？": the proposal said again
            result.updates["proposal_what"] = (proposal_text(text) or text.strip())[
                :MAX_PROPOSAL_CHARS
            ]
            result.updates["correcting"] = False
        else:
            _confirm_turn(text, intent, slots, result, _proposal_correction)
    return result


def _proposal_correction(text: str, result: TurnResult) -> bool:
    if scope := parse_scope(text):
        result.updates["proposal_where"] = scope
        return True
    return False


def choose_poll(text: str, choices: list[dict]) -> dict | None:
    """Which of the open polls the words choose: its number ("第2个", "2号投票"), or words of
    its question ("电梯那个")."""
    prepared = prepare(text)
    if not prepared or not choices:
        return None
    if m := _ORDINAL.search(prepared):
        number = _ORDINALS.get(next(g for g in m.groups() if g), 0)
        if 1 <= number <= len(choices):
            return choices[number - 1]
    best, best_score = None, 0.0
    for choice in choices:
        question = prepare(str(choice.get("question", "")))
        grams = {question[i : i + 2] for i in range(len(question) - 1)}
        said = {prepared[i : i + 2] for i in range(len(prepared) - 1)}
        score = len(grams & said) / max(len(said), 1)
        if score > best_score:
            best, best_score = choice, score
    return best if best_score >= 0.3 else None


def vote_turn(text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
    """Slot updates for one message of the vote form (the poll chosen is in ``vote_poll``)."""
    result = TurnResult()
    poll = slots.get("vote_poll") or {}
    options = [str(o) for o in poll.get("options") or []]
    if relation := parse_relation(text):
        result.updates["vote_relation"] = relation
    if requested is None:
        if options and (option := parse_option(text, options)) and intent != "ask_results":
            # "我投同意" / "加装电梯我反对": only words that choose, not "我要投票"
            if re.search(r"同意|赞成|反对|弃权|支持", prepare(text)):
                result.updates["vote_option"] = option
        if household := _household(text, None):
            result.updates["vote_household"] = household
        return result
    if requested == "vote_poll":
        if chosen := choose_poll(text, slots.get("vote_choices") or []):
            result.updates["vote_poll"] = chosen
    elif requested == "vote_option":
        if option := parse_option(text, options):
            result.updates["vote_option"] = option
    elif requested == "vote_household":
        household = _household(text, slots.get("vote_partial") or slots.get("vote_household"))
        if household:
            result.updates["vote_household"] = household
            missing = household_missing(household)
            if missing:
                result.problem = _missing_text(household, missing)
    elif requested == "vote_last4":
        if last4 := parse_last4(text):
            result.updates["vote_last4"] = last4
        elif forgot_it(text):
            result.problem = FORGOT_LAST4
        # other digits: the form asks for the four digits again itself (once, not twice)
    elif requested == "confirmed":
        _confirm_turn(text, intent, slots, result, _vote_correction(options))
        if result.updates.get("correcting"):  # a bare 不对: choose the option again
            result.updates.update(vote_option=None, correcting=False)
    return result


def _vote_correction(options: list[str]):  # type: ignore[no-untyped-def]
    def correct(text: str, result: TurnResult) -> bool:
        changed = False
        if option := parse_option(re.sub(r"^(不对|不是|错了)[，,。\s]*", "", text), options):
            if not is_no(text) or option != "不同意" or "不同意" in text:
                result.updates["vote_option"] = option
                changed = True
        if household := _household(text, None):
            result.updates["vote_household"] = household
            changed = True
        return changed

    return correct


def _confirm_turn(text, intent, slots, result, correction) -> None:  # type: ignore[no-untyped-def]
    """对 confirms; 不对 with the right detail corrects it; a bare 不对 asks what is wrong."""
    if is_yes(text) or (intent == "affirm" and not is_no(text)):
        result.updates["confirmed"] = True
        result.updates["correcting"] = False
        return
    if correction(text, result):
        result.updates["correcting"] = False
        return
    if is_no(text) or intent == "deny" or slots.get("correcting"):
        result.updates["correcting"] = True


def _missing_text(household: dict, missing: list[str]) -> str:
    said = household_text(household)
    words = {"building": "几号楼", "unit": "几单元", "room": "门牌号（几室）"}
    need = "、".join(words[m] for m in missing)
    # "每户一票" names the vote form's household question (the kiosk's touch layer reads it)
    if said:
        return f"每户一票：记下了{said}，还差{need}，请再告诉我一下。"
    return f"每户一票，请告诉我您家是{need}。"
