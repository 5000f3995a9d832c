"""Keyword-rule intent classifier: the baseline the Rasa model is compared against.

Pure Python, no training. Each intent has keyword patterns; rules are tried in a fixed priority
order (danger first, then control words, then the main intents) and the first that matches wins.
Text is normalised first (Traditional → Simplified, full-width → half-width). The keywords were
written from the domain vocabulary (DOMAIN.md, categories.yml, services.yml), not tuned on the
evaluation set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.textnorm import normalize_text

_CATEGORY_WORDS = (
    "灯|电梯|电体|漏|渗|滴水|停水|没水|没得水|水压|自来水|停电|没电|断电|跳闸|堵|下水|马桶|地漏|化粪池|"
    "垃圾|拉圾|乐色|臭|脏|老鼠|蟑螂|小广告|狗屎|吵|噪音|装修|扰民|喇叭|广场舞|乱停|占道|车位|僵尸车|"
    "消防通道|充电|电动车|电瓶车|扔|丢|抛|掉下来|砸|群租|隔断|二房东|门禁|门锁|单元门|窗户|玻璃|墙皮|"
    "扶手|信箱|对讲|外墙|树|草|杂草|坑|井盖|地砖|积水|人行道|狗|猫|邻居|纠纷|矛盾|杂物|坏|不亮|不动|"
    "没人管|没人收"
)

RULES: tuple[tuple[str, str], ...] = (
    (
        "emergency",
        r"煤气|燃气味|天然气|着火|起火|失火|冒烟|黑烟|烧起来|火花|触电|电到|被电|摔倒|跌倒|摔了|晕倒|"
        r"昏|倒在|倒地|起不来|爬不起来|叫不醒|困在电梯|困电梯|关在电梯|电梯.*困|卡住.*人|救命|快来人|"
        r"爆了|爆裂|淹了|拿刀|打人|打架|跳楼|小偷|闯进|中风|喘不|塌|中毒|不行了",
    ),
    (
        "handoff_human",
        r"人工|真人|工作人员|网格员|网格长|居委会的人|主任|书记|领导|负责人|活人|机器人|换个人|叫个人|找人|社工|值班",
    ),
    (
        "cancel",
        r"算了|不报了|不办了|取消|撤销|撤回|不弄了|不搞了|不申请了|不登记|不用登记|别登记|不需要了|不用了|不用报|不用管|莫搞|算球",
    ),
    (
        "ask_results",
        r"(投票|投瞟|表决|议事会).*(结果|结束|截止|通过|怎么样|咋样|多少|定|办)|"
        r"(建议|提议|意见).*(采纳|回音|答复|回复|怎么样|咋样|怎么说)|哪些事.*投票",
    ),
    ("vote", r"投票|投瞟|投一票|投个票|表决|赞成票|反对票|弃权|投同意|投反对|投赞成|投不同意"),
    ("propose", r"建议|建仪|建义|提议|提个意见|想法|点子|主意|议事|商量"),
    (
        "ask_status",
        r"进度|进展|到哪|哪一步|哪个环节|怎么样了|咋样了|修了没|好了没|好没|弄好莫得|批了|批下来|处理没|处理了吗|有结果|结果|状态|单号|工单|编号|尾号|BS|有消息|受理|派单|派人了|谁在|怎么还没",
    ),
    (
        "rate",
        r"解决|修好|弄好|搞好|已经好了|好了|满意|好评|差评|[一二三四五]星|[一二三四五]分|没人来|没修|还是坏|还在漏|还是漏|"
        r"老样子|又坏了|一半|亮了|能用了|问题没了",
    ),
    (
        "consult",
        r"^(?!.*(帮我|我要|给我|想给|帮俺|给俺)).*"
        r"(吗|么|呢|啥|什么|怎么|咋|哪|几|多少|多久|要不要|能不能|可不可以|是不是|有没有|请问|问一下|问问|咨询|打听|晓得)",
    ),
    (
        "inform",
        r"^(?=.{1,8}$)(?!.*(坏|不亮|漏水|堵了|吵死|没人|我要|我想|帮我|帮俺|申请|想给|要办|想办|办个|要开|办理))(不对|错了|不是)?.*"
        r"(\d{2,}|号楼|栋|幢|单元|门口|东门|西门|南门|北门|旁边|边上|那里|那边|楼下|广场|车库|急|电话|手机|号码|不留|匿名|"
        r"自己|本人|我妈|我爸|老伴|奶奶|爷爷|外婆|外公|婆婆|儿子|女儿|娘|明天|后天|今天|下午|上午|周|礼拜|星期|"
        r"随时|越早|尽快|津贴|补贴|证明|居住证|老年卡|老年证|优待证|低保|残疾|助餐|送餐|上门|改造|扶手)",
    ),
    (
        "service",
        r"申请|办理|预约|高龄|津贴|补贴|补助|长寿金|居住证|证明|老年证|老年卡|优待证|优惠卡|敬老卡|低保|"
        r"滴保|低宝|残疾|助餐|送餐|订餐|食堂|饭桌|上门|助浴|护理|家政|居家养老|适老化|无障碍|扶手|办个|办事|办点",
    ),
    (
        "consult",
        r"吗|么|呢|啥|什么|怎么|咋|哪|几|多少|多久|要不要|能不能|可不可以|是不是|有没有|请问|问一下|"
        r"问问|咨询|打听|想晓得|晓得",
    ),
    ("inform", r"^(?=.{1,6}$)(?!.*(坏|不亮|报|投诉|反映)).*(" + _CATEGORY_WORDS + ")"),
    ("report", r"报事|报修|投诉|反映|举报|" + _CATEGORY_WORDS),
    ("thank", r"谢|辛苦|麻烦你|劳驾|感谢"),
    (
        "goodbye",
        r"再见|拜拜|再会|886|bye|回头见|下次|走了|挂了|先走|下回见|明天见|没别的事|没其他事|就这些|我下了",
    ),
    ("greet", r"你好|您好|早上好|下午好|晚上好|中午好|早安|哈喽|嗨|在吗|在不在|大家好|^喂"),
    (
        "deny",
        r"^(不对|不是|错|不$|不不|不要|没有|没得|莫得|不行|不中|不得行|要不得|不正确|否|没$|搞错|说错|那不对|啊不是|都不对|不太对)",
    ),
    (
        "affirm",
        r"^(对|是|没错|嗯|好|可以|行|中|要得|得行|确认|确定|正确|就这样|就是这样|没问题|莫得问题|ok|没毛病)",
    ),
    (
        "inform",
        r"\d|[一二三四五六七八九十零幺]+(号|栋|幢|单元)|号楼|栋|幢|单元|门口|东门|西门|南门|北门|旁边|边上|"
        r"对面|后面|那里|那边|楼下|家门口|广场|车库|急|电话|手机|号码|不留|匿名|自己|本人|我妈|我爸|老伴|"
        r"奶奶|爷爷|外婆|外公|婆婆|儿子|女儿|娘|明天|后天|今天|下午|上午|周|礼拜|星期|随时|越早|尽快|"
        + _CATEGORY_WORDS,
    ),
)
FALLBACK_INTENT = "out_of_scope"


@dataclass(frozen=True)
class RulePrediction:
    """The baseline's answer for one text."""

    intent: str
    """Predicted intent (``out_of_scope`` when no rule matched)."""
    rule: str | None
    """The intent whose rule fired, or None for the fallback."""


class KeywordClassifier:
    """First-match keyword rules over normalised text."""

    def __init__(
        self, rules: tuple[tuple[str, str], ...] = RULES, fallback: str = FALLBACK_INTENT
    ) -> None:
        """Compile the rules (``(intent, regex)`` pairs tried in order)."""
        self._rules = [(intent, re.compile(pattern, re.IGNORECASE)) for intent, pattern in rules]
        self._fallback = fallback

    @property
    def intents(self) -> list[str]:
        """Every intent the classifier can return."""
        return list(dict.fromkeys([i for i, _ in self._rules] + [self._fallback]))

    def predict(self, text: str) -> RulePrediction:
        """Classify one text."""
        prepared = normalize_text(text or "")
        prepared = re.sub(r"^(那个|就是|嗯|呃|啊|哎|喂)[\s…,，.。]*", "", prepared) or prepared
        for intent, pattern in self._rules:
            if pattern.search(prepared):
                return RulePrediction(intent, intent)
        return RulePrediction(self._fallback, None)

    def __call__(self, text: str) -> str:
        """The predicted intent of one text."""
        return self.predict(text).intent
