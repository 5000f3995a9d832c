"""Pure parsers turning a resident's words into slot values (no I/O, no Rasa).

Every parser takes raw text (typed, spoken or recognised speech; Simplified or Traditional) and
returns a value or ``None`` when the text holds none ("no match" is ``None``, hassil style).

Over 400 lines on purpose: the parsers share one normalisation (``prepare``) and one set of
number and place words, and a form calls several of them on the same text; each is small.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

from actions.numbers import chinese_numbers_to_digits
from core.contracts import Location
from core.taxonomy import PLACE_WORDS, categories, services
from core.textnorm import chinese_punctuation, normalize_text, to_simplified

_PUNCT = "，,。.！!？?；;、：:\n "


def prepare(text: str) -> str:
    """Normalise for parsing: NFKC, Traditional → Simplified, Chinese numbers → digits."""
    return chinese_numbers_to_digits(normalize_text(text or ""))


def drop_negated(text: str) -> str:
    """Remove the parts a resident negates in a correction: "是5号楼不是3号楼" → "是5号楼"."""
    text = re.sub(r"^(不对|不是的|错了|说错了|搞错了|不对不对)[，,。！!\s]*", "", text)
    return re.sub(r"(不是|而不是|并不是)[^，,。；;！!？?]*?(?=[，,。；;！!？?]|是|$)", "", text)


# ---------------------------------------------------------------- phone

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_DECLINE_CONTACT = re.compile(
    r"不留|不想留|不用留|别留|不方便留|不太?方便|不给|不想给|没有电话|没电话|没有手机|不要电话|别打电话|"
    r"匿名|保密|算了吧?不留|不必了"
)


def parse_phone(text: str) -> str | None:
    """A mobile (11 digits starting 13–19) or landline number, digits only; else None."""
    prepared = prepare(text)
    compact = re.sub(r"(?<=\d)[\s\-－—.]+(?=\d)", "", prepared)
    if m := _MOBILE.search(compact):
        return m.group(0)
    if m := _LANDLINE.search(compact):
        return m.group(0).replace("-", "")
    return None


def declines_contact(text: str) -> bool:
    """True when the resident does not want to leave a phone number."""
    prepared = prepare(text)
    return bool(_DECLINE_CONTACT.search(prepared)) or prepared in {
        "不",
        "不要",
        "不用",
        "没有",
        "不了",
    }


_DECLINE_IN_PASSING = re.compile(
    r"(电话|手机|号码|联系方式).{0,3}(不留|不给|不方便)|(不留|不给|不想留).{0,3}(电话|手机|号码|联系方式)|匿名"
)


def declines_contact_in_passing(text: str) -> bool:
    """True when a longer message says, among other things, that no phone is left ("电话不留")."""
    return bool(_DECLINE_IN_PASSING.search(prepare(text)))


def looks_like_bad_phone(text: str) -> bool:
    """True when the text holds a digit run that is meant as a phone but is not a valid one."""
    prepared = re.sub(r"[\s\-－—]", "", prepare(text))
    return bool(re.search(r"\d{6,}", prepared)) and parse_phone(text) is None


# ---------------------------------------------------------------- location

# "3楼" alone is usually a floor (三楼 = third floor); it is a building only before a unit
# ("5楼2单元").
_BUILDING = re.compile(
    r"(\d{1,3})\s*(?:号楼|号栋|栋楼|栋|幢|号院|座|号(?![房室])|楼(?=\s*\d{1,2}\s*(?:单元|门洞)))"
)
_UNIT = re.compile(r"(\d{1,2})\s*(?:单元|门洞|单位)")
_ROOM = re.compile(r"(\d{3,4})\s*(?:室|房|号房|户)?")
_LANDMARKS = (
    "东门",
    "西门",
    "南门",
    "北门",
    "大门",
    "正门",
    "侧门",
    "后门",
    "小区门口",
    "门口",
    "门卫",
    "菜市场",
    "农贸市场",
    "超市",
    "广场",
    "小广场",
    "停车场",
    "地下车库",
    "车库",
    "垃圾站",
    "垃圾房",
    "健身器材",
    "篮球场",
    "花园",
    "小花园",
    "凉亭",
    "幼儿园",
    "学校",
    "物业办公室",
    "服务中心",
    "居委会",
    "楼顶",
    "天台",
    "地下室",
    "自行车棚",
    "车棚",
    "充电桩",
    "快递柜",
    "人行道",
    "主干道",
    "公交站",
    "中心花园",
    "水塔",
    "配电房",
    "公厕",
    "小卖部",
    "老年活动中心",
    "活动室",
)
_LANDMARK_CONTEXT = re.compile(
    r"((?:小区)?(?:" + "|".join(sorted(_LANDMARKS, key=len, reverse=True)) + r")"
    r"(?:旁边|边上|附近|对面|那里|那儿|那边|这边|里面|门口|外面|后面|前面|旁)?)"
)
_HOME = re.compile(r"(我家|俺家|屋头|我们家|我屋里)(门口|楼下|楼上|里|里面)?")
_HOME_ONLY = re.compile(r"^(我家|俺家|屋头|我们家|我屋里)")


def findable(location: Location | None) -> bool:
    """Whether staff could find the place: a building, unit or room, or a real landmark
    (“我家” or “俺家楼上” alone is not one: a kiosk visitor is anonymous)."""
    if location is None:
        return False
    if location.building or location.unit or location.room:
        return True
    return bool(location.landmark) and not _HOME_ONLY.match(location.landmark or "")


def parse_location(text: str) -> Location | None:
    """Building / unit / room / landmark from words: "5号楼2单元301" → Location(5, 2, 301)."""
    prepared = drop_negated(prepare(text))
    building = unit = room = landmark = None
    if m := _BUILDING.search(prepared):
        building = m.group(1)
    if m := _UNIT.search(prepared):
        unit = m.group(1)
    tail = prepared
    if m := (_UNIT.search(prepared) or _BUILDING.search(prepared)):
        tail = prepared[m.end() :]
        if (rm := re.match(r"[\s,，的.…。、-]*(\d{3,4})(?:室|房|号房|户|号)?", tail)) is not None:
            room = rm.group(1)
    if room is None and (rm := re.search(r"(\d{3,4})\s*(?:室|房间|号房)", prepared)):
        room = rm.group(1)
    # a short answer that is just a room number: "是202", "502"
    if (
        room is None
        and building is None
        and (rm := re.fullmatch(r"[^\d]{0,4}(\d{3,4})[^\d]{0,3}", prepared.strip(_PUNCT)))
    ):
        room = rm.group(1)
    # "3-2-301" style
    if building is None and (
        dm := re.search(r"(?<!\d)(\d{1,3})-(\d{1,2})-(\d{3,4})(?!\d)", prepared)
    ):
        building, unit, room = dm.group(1), dm.group(2), dm.group(3)
    home = _HOME.search(prepared)
    if (m := _LANDMARK_CONTEXT.search(prepared)) and not (home and m.start() <= home.end()):
        landmark = m.group(1)
    elif home:  # "我们家门口" is the resident's door, not a 门口 of the community
        landmark = home.group(0)
    if not any((building, unit, room, landmark)):
        return None
    return Location(
        building=building,
        unit=unit,
        room=room,
        landmark=landmark,
        raw=clean_description(text)[:500],
    )


def merge_location(old: dict | None, new: Location) -> Location:
    """A corrected location: parts the resident said now win, the parts not restated are kept."""
    if not old:
        return new
    base = Location.model_validate({k: v for k, v in old.items() if k in Location.model_fields})
    return Location(
        building=new.building or base.building,
        unit=new.unit or base.unit,
        room=new.room or base.room,
        landmark=new.landmark or base.landmark,
        raw=new.raw,
    )


_NUM = r"[0-9０-９零〇一二两三四五六七八九十百]+"
_PLACE_MENTION = re.compile(
    rf"(?P<num>{_NUM})\s*(?P<suffix>号楼|号栋|栋楼|栋|幢|号院|座|单元|门洞|号房|室|房|户|号|楼(?=\s*{_NUM}\s*(?:单元|门洞)))"
    rf"|(?<=单元)(?P<bare>\s*的?\s*[0-9０-９]{{3,4}})(?![0-9０-９])"
)
_SUFFIX_PART = {
    "单元": "unit",
    "门洞": "unit",
    "号房": "room",
    "室": "room",
    "房": "room",
    "户": "room",
}


def _mention_value(num: str) -> str:
    return re.sub(r"\D", "", chinese_numbers_to_digits(normalize_text(num)))


def restate_place(description: str, old: dict | None, new: Location) -> str:
    """The description with a corrected place: after "不对，是6号楼", "5号楼2单元的灯坏了" becomes
    "6号楼2单元的灯坏了" (digits or Chinese numerals; building, unit, room and landmark), so the
    read-back and the case never repeat the place the resident just corrected."""
    if not description or not old:
        return description
    changed = {}
    for part in ("building", "unit", "room"):
        before, after = old.get(part), getattr(new, part)
        if before and after and str(before) != str(after):
            changed[part] = (str(before), str(after))

    def swap(m: re.Match[str]) -> str:
        if m.group("bare") is not None:
            value, part = _mention_value(m.group("bare")), "room"
            if part in changed and value == changed[part][0]:
                return m.group("bare").replace(m.group("bare").strip(" 的"), changed[part][1])
            return m.group(0)
        value, suffix = _mention_value(m.group("num")), m.group("suffix")
        part = _SUFFIX_PART.get(suffix) or (
            "room" if suffix == "号" and len(value) >= 3 else "building"
        )
        if part in changed and value == changed[part][0]:
            return changed[part][1] + m.group(0)[len(m.group("num")) :]
        return m.group(0)

    text = _PLACE_MENTION.sub(swap, description) if changed else description
    if old.get("landmark") and new.landmark and old["landmark"] != new.landmark:
        text = text.replace(old["landmark"], new.landmark)
    return text


# ---------------------------------------------------------------- category / service


@lru_cache(maxsize=1)
def _pinyin_index(kind: str) -> tuple[tuple[str, str, str], ...]:
    """(code, word, toneless pinyin of word) for category or service synonyms, longest first."""
    items = categories() if kind == "category" else services()
    rows = []
    for item in items:
        for word in dict.fromkeys((item.name, *item.synonyms)):
            if word:
                rows.append((item.code, word, " ".join(lazy_pinyin(word))))
    rows.sort(key=lambda r: len(r[1]), reverse=True)
    return tuple(rows)


def _match_taxonomy(text: str, kind: str) -> str | None:
    # no number conversion here: 高零津贴 must stay words, not 高0津贴
    prepared = drop_negated(normalize_text(text or ""))
    if not prepared:
        return None
    rows = _pinyin_index(kind)
    # 1. exact characters: a problem word before a place word (PLACE_WORDS: 单元门, 楼梯, 电梯 …
    #    name where, not what — "1单元门口的垃圾" is 垃圾), then the longest synonym, the earliest
    #    position breaking ties; one-character words (脏, 吵, 坑 …) only when nothing longer matched
    best: tuple[bool, int, int, str] | None = None
    for code, word, _ in rows:
        pos = prepared.find(word)
        if pos >= 0:
            key = (kind == "category" and word in PLACE_WORDS, -len(word), pos, code)
            if best is None or key < best:
                best = key
    if best is not None:
        return best[3]
    # 2. same sound (speech-recognition homophones: 高零津贴 → 高龄津贴), words of 3+ characters
    spoken = " " + " ".join(lazy_pinyin(prepared)) + " "
    for code, word, pinyin in rows:
        if len(word) >= 3 and f" {pinyin} " in spoken:
            return code
    return None


def parse_category(text: str) -> str | None:
    """Code of the report category the text names (synonyms, homophones), else None."""
    code = _match_taxonomy(text, "category")
    return (
        None
        if code == "other" and not re.search("其他|其它|别的", normalize_text(text or ""))
        else code
    )


_TO_MY_HOME = re.compile(r"(?:上|到|来)(?:我|俺|咱|我们|俺们|咱们)家")
""""Come to my home" with a pronoun between the verb and 家 (到我家来, 上俺家来办): the taxonomy's
fixed synonyms (上门, 到家里) cannot list every pronoun and dialect form."""
HOME_VISIT = "home_visit"


def parse_service(text: str) -> str | None:
    """Code of the service the text names (synonyms, homophones), else None."""
    code = _match_taxonomy(text, "service")
    if code is None and _TO_MY_HOME.search(drop_negated(normalize_text(text or ""))):
        return HOME_VISIT
    return code


# ---------------------------------------------------------------- urgency

_NOT_URGENT = re.compile(
    r"不急|不着急|不太急|不太着急|不用太?着急|不用太急|别着急|不怎么急|没那么急|不紧急|慢慢来|不赶(?!紧)|有空再|"
    r"不用急|不是很急|一般|还好|莫急|不慌|不(?:太|怎么|是很|是太|那么)?要紧|不打紧|不赶时间|"
    r"(?:不|没|没有|别|并不|谈不上|算不上|说不上)"
    r"(?:算|太|很|是|那么|这么|多|多么|咋|怎么|特别|非常|十分|用|有|也|大)*着?急(?!死|坏|得)|"
    r"(?:等|过|晚)(?:几|两|一|个)(?:天|日子)(?:也|都|再)?(?:行|可以|没事|不要紧|没关系)"
)
_URGENT_HEARD_AS = re.compile(r"(挺|很|特别|非常|比较|有点|好|太)极")
"""急 as the recogniser often writes it in a short answer ("挺急的" heard as "挺极的")."""
_URGENT = re.compile(
    r"急|赶紧|尽快|马上|立刻|越快越好|快点|危险|严重|要命|受不了|老人|小孩|孩子|晚上黑|黑漆漆|摔|麻烦快|快来"
)


def parse_urgency(text: str) -> str | None:
    """'urgent' or 'normal' when the text says how pressing it is, else None."""
    prepared = prepare(text)
    if _NOT_URGENT.search(prepared):
        return "normal"
    if re.search(r"急|赶紧|尽快|马上|立刻|越快越好|快点|危险|严重|要命|受不了|快来", prepared):
        return "urgent"
    if _URGENT_HEARD_AS.search(prepared):
        return "urgent"
    return None


def urgency_hint(text: str) -> str | None:
    """Softer signal from a description (黑漆漆, 老人, 小孩): 'urgent' or None."""
    return (
        "urgent"
        if _URGENT.search(prepare(text)) and not _NOT_URGENT.search(prepare(text))
        else None
    )


# ---------------------------------------------------------------- applicant / time

_RELATIONS = (
    ("母亲", r"我妈|妈妈|俺娘|我娘|老娘|母亲|老妈|我姆妈|老太太|我家老太"),
    ("父亲", r"我爸|爸爸|俺爹|我爹|老爹|父亲|老爸|我老汉|老爷子|我家老爷"),
    ("配偶", r"老伴|老公|老婆|爱人|媳妇|丈夫|妻子|我男人|我家那口子"),
    ("祖父母", r"爷爷|奶奶|外公|外婆|姥姥|姥爷"),
    ("岳父母/公婆", r"岳父|岳母|丈母娘|老丈人|公公|婆婆"),
    ("子女", r"儿子|女儿|闺女|孩子"),
    ("其他亲属", r"亲戚|舅舅|姑姑|阿姨|叔叔|哥哥|姐姐|弟弟|妹妹"),
    ("邻居", r"邻居"),
)
_SELF = re.compile(r"我自己|俺自己|自个|本人|自己办|给我办|我本人|就是我|帮我自己|给自己|我个人")


def parse_applicant(text: str) -> str | None:
    """Who the service is for: '本人' or a relation ('母亲', '父亲', …), else None."""
    prepared = prepare(text)
    for label, pattern in _RELATIONS:
        if re.search(pattern, prepared):
            return label
    if _SELF.search(prepared) or prepared in {"我", "我的", "是我"}:
        return "本人"
    return None


_DAY = (
    # "下礼拜一", "下个星期三", "这个礼拜六": the 下 / 这 says which week, keep it
    r"((?:下下?个?|这个?|本)?(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"|今天|明天|后天|大后天|这周|下周|工作日|周末"
    r"|\d{1,2}月\d{1,2}[日号]|\d{1,2}[号日](?![楼栋幢院单房室]))"
)
_PART = r"(早上|上午|中午|下午|晚上|傍晚|白天|\d{1,2}点(?:半|\d{1,2}分?)?)"
_TIME = re.compile(rf"{_DAY}\s*{_PART}?|{_PART}")
_ANY_TIME = re.compile(r"随时|都行|都可以|什么时候都|哪天都|无所谓|尽快|越早越好|越快越好|早点")


_TIME_GAPS = {g: g for g in ("到", "至", "或", "或者", "还是", "和", "、", "~", "～", "-")} | {
    "，": "、",
    ",": "、",
}
"""Words between two times that are read back with them ("周一到周五")."""
_WEEKDAY_DIGIT = re.compile(r"(周|星期|礼拜)([1-7])")
_WEEKDAY_NAMES = dict(zip("1234567", "一二三四五六日", strict=True))


def parse_time_preference(text: str) -> str | None:
    """A time the resident prefers ('明天上午', '随时都可以'), else None."""
    prepared = prepare(text)
    matches = list(_TIME.finditer(prepared))
    if matches:
        # "周一到周五", "明天或者后天": the word between two times is kept (not "周一周五")
        said, seen, end = "", set(), None
        for m in matches:
            if m.group(0) in seen:
                continue
            gap = prepared[end : m.start()].strip() if end is not None else ""
            said += _TIME_GAPS.get(gap, "") + m.group(0)
            seen.add(m.group(0))
            end = m.end()
        # numerals became digits for parsing; a weekday is read back as people say it (周三)
        return _WEEKDAY_DIGIT.sub(lambda m: m.group(1) + _WEEKDAY_NAMES[m.group(2)], said)[:100]
    if m := _ANY_TIME.search(prepared):
        return "尽快" if m.group(0) in {"尽快", "越早越好", "越快越好", "早点"} else "随时都可以"
    return None


# ---------------------------------------------------------------- yes / no / ratings / case numbers

_YES = re.compile(
    r"^(对|是|是的|对的|没错|没问题|嗯|嗯嗯|好|好的|行|可以|对头|要得|中|确认|正确|就这样|没毛病|对对|对对对|ok|okay|yes)[。！!啊呀的了吧]*$",
    re.I,
)
_NO = re.compile(r"^(不对|不是|错了|不行|不|不正确|不太对|有错|改一下|不是这样)")


def is_yes(text: str) -> bool:
    """A plain yes (对 / 是的 / 没错 / 对，没错。…): every part of the message is a yes word."""
    parts = [p for p in re.split(r"[，,。.！!、\s…~～]+", prepare(text)) if p]
    return bool(parts) and all(_YES.match(p) for p in parts)


def is_no(text: str) -> bool:
    """Starts with a no (不对 / 不是 / 错了 …)."""
    return bool(_NO.match(prepare(text).strip(_PUNCT)))


_RATINGS = (
    (
        "unresolved",
        r"没解决|没有解决|未解决|没修好|没弄好|还是|根本没|没人来|没用|不满意|还没好|照旧",
    ),
    ("partial", r"部分解决|解决了一部分|一半|还差|基本|差不多|凑合|部分"),
    ("resolved", r"解决了|修好了|弄好了|好了|满意|可以了|没问题了|搞定"),
)


def parse_rating(text: str) -> str | None:
    """'solved', 'partly' or 'unsolved' from the resident's feedback, else None."""
    prepared = prepare(text)
    for code, pattern in _RATINGS:
        if re.search(pattern, prepared):
            return code
    return None


_CASE_NO = re.compile(r"(?<![A-Za-z])([A-Za-z]{2})[\s\-_]*(\d{8})[\s\-_]*(\d{4})(?!\d)")
_TAIL = re.compile(r"(?:尾号|后四位|最后四位|编号|号码|单号)?\D*?(?<!\d)(\d{4})(?!\d)")


def parse_case_no(text: str) -> str | None:
    """A full case number (BS-20261121-0042), normalised, else None."""
    if m := _CASE_NO.search(prepare(text)):
        return f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}"
    return None


def parse_case_tail(text: str) -> str | None:
    """The last 4 digits of a case number when said alone ("尾号0042"), else None."""
    prepared = prepare(text)
    if parse_case_no(text) or parse_phone(text):
        return None
    if m := _TAIL.search(prepared):
        return m.group(1)
    return None


# ---------------------------------------------------------------- description

_GREETING = re.compile(
    r"^(你好|您好|喂|哎|诶|那个|就是|嗯|呃|啊|同志|小助手|机器人|请问)[，,。！!\s…]*"
)


def clean_description(text: str) -> str:
    """The resident's description without greetings, fillers and phone numbers (kept elsewhere)."""
    prepared = to_simplified(
        "".join(ch for ch in (text or "") if ch.isprintable() or ch == " ")
    ).strip()
    for _ in range(3):
        prepared = _GREETING.sub("", prepared)
    prepared = re.sub(
        r"[，,]?\s*(我的)?(电话|手机|联系方式)?(号码)?(是|：|:)?\s*1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}",
        "",
        prepared,
    )
    prepared = re.sub(
        r"[，,]?\s*(我的)?(电话|手机|联系方式)(号码)?(是|：|:)?\s*[0-9０-９\s-]{7,}", "", prepared
    )
    prepared = re.sub(r"[，,。]{2,}", "，", prepared).strip(_PUNCT)
    return chinese_punctuation(prepared)[:2000]


def is_substantive(text: str) -> bool:
    """True when the text says something beyond a bare request word (我要报事 / 报修 …)."""
    prepared = prepare(text)
    bare = re.sub(
        r"我要|我想|想|要|帮我|帮忙|给我|请|麻烦|你好|您好|报事|报修|反映|投诉|一下|个|问题|情况|事情|事|有|"
        r"[，,。.！!？?、\s…]|那个|就是|嗯|呃|啊|我|的|了|说|跟|和|向|给|社区|你们|咱们|想",
        "",
        prepared,
    )
    return len(re.findall(r"[\u4e00-\u9fffA-Za-z0-9]", bare)) >= 2  # emoji and symbols say nothing


_QUESTION = re.compile(
    r"[吗嘛]|[？?]|怎么|怎样|几点|什么|哪里|哪儿|哪个|哪些|咋|啥|能不能|可不可以|是否|多少|有没有|要不要|开门|几号"
    r"|((?!不)[\u4e00-\u9fff])不\1"  # A-not-A: 上不上班, 在不在, 开不开 (not 不不不)
)


def looks_like_question(text: str) -> bool:
    """True when the text is phrased as a question (吗 / 怎么 / 几点 / ？ …)."""
    return bool(_QUESTION.search(prepare(text)))
