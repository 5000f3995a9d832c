"""Emergencies: recognise the kind of danger in a resident's words and the safety guidance to
give at once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.textnorm import normalize_text


@dataclass(frozen=True)
class EmergencyKind:
    """One kind of immediate danger and what to tell the resident first."""

    code: str
    label: str
    category: str
    """Report category code the urgent case is filed under."""
    guidance: str
    pattern: re.Pattern[str]


EMERGENCIES: tuple[EmergencyKind, ...] = (
    EmergencyKind(
        "gas",
        "燃气泄漏",
        "other",
        "请马上离开屋子和楼道，打开门窗通风；千万不要开关电灯、电器，不要打电话或点火。"
        "到安全的地方后，拨打 119 和燃气公司抢修电话。",
        re.compile(r"煤气|燃气|天然气|液化气|瓦斯|气味.*(头晕|难闻)|漏气|一股.*气味"),
    ),
    EmergencyKind(
        "fire",
        "火情",
        "other",
        "请马上拨打 119！用湿毛巾捂住口鼻，弯腰沿着安全出口往下走，不要坐电梯，不要回去拿东西。",
        re.compile(r"(?<!不)着火|起火|失火|火灾|冒烟|冒黑烟|烧起来|火苗|浓烟|烟很大"),
    ),
    EmergencyKind(
        "fall",
        "有人摔倒受伤",
        "other",
        "请先不要随意搬动摔倒的人，看看能不能说话、有没有出血。情况严重请马上拨打 120。",
        re.compile(
            r"摔倒|摔了|跌倒|起不来|爬不起来|站不起来|昏倒|晕倒|不省人事|没反应|叫不醒|昏迷|晕过去"
        ),
    ),
    EmergencyKind(
        "trapped",
        "电梯困人",
        "elevator",
        "请别慌，不要扒门，按电梯里的警铃或对讲按钮；也可以拨打电梯里贴的救援电话或 119。",
        re.compile(r"困在电梯|关在电梯|电梯里出不来|电梯.*(困|卡).*人|被困"),
    ),
    EmergencyKind(
        "electric",
        "触电",
        "power",
        "千万不要直接用手去拉触电的人！先拉下电闸断电，再拨打 120。",
        re.compile(r"触电|漏电.*(人|电到)|被电|电到人"),
    ),
    EmergencyKind(
        "flood",
        "大量漏水",
        "leak",
        "请先关掉家里的总水阀，拔掉地上的插头，注意防滑。",
        re.compile(r"水管爆|爆管|水漫|淹了|大水|水一直往外冒|水漫金山"),
    ),
    EmergencyKind(
        "medical",
        "急病",
        "other",
        "请马上拨打 120！让病人躺平或靠坐着别动，开门等救护车；旁边有人的话请他去楼下接一下。",
        re.compile(
            r"喘不上气|喘不过气|胸口(疼|痛)|心脏病|中风|说不出话|嘴歪|抽搐|大出血|血止不住|吐血|"
            r"不行了|快不行|没气了|没有呼吸|噎住"
        ),
    ),
    EmergencyKind(
        "violence",
        "人身安全",
        "other",
        "请先到安全的地方，马上拨打 110。",
        re.compile(r"打人|打架|持刀|拿刀|抢劫|小偷|有人闯|砸门|家暴"),
    ),
)


_GAS_FAULT = re.compile(
    r"(煤气|燃气|天然气|液化气)(灶|炉|热水器)[^，。,.!！?？]{0,6}"
    r"(打不着|点不着|打不燃|点不燃|打不起火|不出火|没火|火很小|火太小|坏了|不好使|不能用)"
)
_GAS_DANGER = re.compile(r"味|漏|泄|呛|头晕|头疼|恶心|冒烟|(?<!不)着火|爆|嘶嘶")


def gas_appliance_fault(text: str) -> bool:
    """A gas stove or water heater that will not light or is broken, with no smell and no
    leak ("煤气灶打不着火了"): a repair to report, not a gas leak to flee from."""
    prepared = normalize_text(text or "")
    return bool(_GAS_FAULT.search(prepared)) and not _GAS_DANGER.search(prepared)


def detect_emergency(text: str) -> EmergencyKind | None:
    """The kind of emergency the text describes, or None."""
    prepared = normalize_text(text or "")
    for kind in EMERGENCIES:
        if kind.code == "gas" and gas_appliance_fault(text):
            continue
        if kind.pattern.search(prepared):
            return kind
    return None


_DANGER_CALL = re.compile(r"救命|快来人|来人啊|出人命|要出事了|危险|报警|打120|打119|打110")
"""A call for help without saying what happened: danger all the same."""


def is_real_emergency(text: str) -> bool:
    """True when the words themselves signal a danger (a known kind or a call for help).

    Inside a form an answer is only taken for an emergency on such a signal: the NLU alone
    ("周三上午我可以带她过去" → emergency) must never raise an alarm and lose the form.
    """
    if detect_emergency(text) is not None:
        return True
    return bool(_DANGER_CALL.search(normalize_text(text or "")))


_ASKS = re.compile(r"问问|问一下|问下|打听|了解|咨询")
_TOPIC = re.compile(
    r"那些|这些|方面|之类|知识|常识|注意些|注意哪些|注意什么|怎么预防|怎么防|防范|规定"
)
_HAPPENING = re.compile(r"了|正在|现在|快|救命|赶紧|马上|有人|冒烟|闻到|我家|家里")


def asks_about_a_danger_topic(text: str) -> bool:
    """A question about a danger as a topic ("我想问问着火那些事", "想了解防火方面的知识"), not a
    danger happening: it asks, names a topic, and says nothing of now or of a home (着火了,
    正在, 闻到, 我家 keep it an emergency: when in doubt the alarm is raised)."""
    t = normalize_text(text or "")
    return bool(_ASKS.search(t) and _TOPIC.search(t) and not _HAPPENING.search(t))


GENERIC = EmergencyKind(
    "other",
    "紧急情况",
    "other",
    "如果有人身危险，请马上拨打 110（治安）、119（火警）或 120（急救）。",
    re.compile(r"$^"),
)
