"""Held-out resident utterances: what the integration, load, bad-input and fault tests say to the
real stack.

None of these is a training example of ``nlu/data`` (nor is any clause of them), so the tests
that use them check understanding rather than memory; ``tests/unit/test_heldout_overlap.py``
keeps it that way. They are written the way residents talk (fillers, 儿化, colloquial verbs,
Traditional characters where a test needs them), each meaning what the test expects, and are kept
apart from the speech clips' transcripts and from the recogniser's prompts.

Add a new utterance here (never inline in a test) and run the overlap test.
"""

from __future__ import annotations

from harness.residents import (  # noqa: F401 - held-out words, see all_utterances()
    LOAD_CONFIRM,
    LOAD_CORRIDOR_LIGHT,
    LOAD_CORRIDOR_LIGHT_DESCRIPTION_HAS,
    LOAD_ELEVATOR,
    LOAD_ELEVATOR_DESCRIPTION_HAS,
)

# ----- one-shot report: corridor light, 5号楼2单元, urgent, phone
ONE_SHOT_REPORT = (
    "您好，我们5号楼2单元楼道的灯全都不亮了，晚上上楼黑灯瞎火的，麻烦尽快，手机{phone}"
)
ONE_SHOT_DESCRIPTION_HAS = "都不亮了"

# ----- report step by step: elevator, 3号楼1单元, not urgent, no phone
START_REPORT = "您好，我想反映个情况"
START_REPORT_AGAIN = "嗯…那个，我要报个事情"
ELEVATOR_DESCRIPTION = "电梯出毛病了，门老是关不严"
ELEVATOR_DESCRIPTION_HAS = "关不严"
ELEVATOR_LOCATION = "就在3号楼1单元"
NOT_URGENT = "不着急，你们有空再来就行"
DECLINE_PHONE = "号码我就不留了吧"
CONFIRM = "嗯，对的"

# ----- correction at the read-back: 3号楼 → 5号楼, unit kept
WRONG_BUILDING_REPORT = "3号楼2单元电梯卡住了不动，挺着急的，我手机{phone}"
CORRECT_BUILDING = "说错了，不是3号楼，应该是5号楼"
CONFIRM_AFTER_CORRECTION = "对，没毛病"

# ----- cancel
STREETLIGHT_DESCRIPTION = "东门外头那几盏路灯晚上都不亮"
CANCEL = "算了吧，这个事我先不报了"
GREET_AFTER_CANCEL = "哈喽，在不在呀"

# ----- a service for a family member: 高龄津贴 for the mother
SERVICE_FOR_MOTHER = "我想替我妈妈办一下高龄津贴"
SERVICE_TIME = "明天上午我有空过去"
SERVICE_TIME_IS = "明天上午"
SERVICE_PHONE = "我手机号是{phone}"
CONFIRM_SERVICE = "对，没问题"

# ----- emergency: gas
GAS_EMERGENCY = "我家厨房一进去全是煤气味，呛得人脑袋发晕"

# ----- hand-off in the middle of a report
NOISE_DESCRIPTION = "楼上那家每天半夜还在搞装修，吵得人没法睡"
NOISE_DESCRIPTION_HAS = "装修"
HUMAN_PLEASE = "我还是想直接找你们工作人员说"

# ----- a question in the middle of a report, then the form goes on
GARBAGE_DESCRIPTION = "楼下垃圾桶早就堆满了，好几天都没人来清"
OPENING_HOURS_QUESTION = "请问一下，礼拜六社区服务中心有人上班吗"
NORTH_GATE = "就在小区北门边上"
NORTH_GATE_HAS = "北门"
QUITE_URGENT = "比较急，尽量早点来"
PHONE_NOT_CONVENIENT = "电话号码不方便给"
CONFIRM_PLAIN = "是的，就这样吧"

# ----- Traditional characters
START_REPORT_TRADITIONAL = "你好，我想報個事情"
CORRIDOR_LIGHT_TRADITIONAL = "5號樓2單元樓道裡的燈壞掉了"
CANCEL_TRADITIONAL = "還是算了吧，不報了"

# ----- the load test's residents: their words are in harness/residents.py (the soak benchmark
# says them too), imported here so that all_utterances() and the overlap test cover them
LOAD_WARMUP = "哈喽，有人在吗"

# ----- issue 14: after an emergency, the place and the phone join the same urgent case
EMERGENCY_GAS_SMELL = "我闻到一股很浓的煤气味"
EMERGENCY_PLACE = "我住17号楼2单元602"
EMERGENCY_PLACE_IS = "17号楼2单元602室"
EMERGENCY_PHONE = "电话是{phone}"
EMERGENCY_GAS_KITCHEN = "家里厨房煤气味特别冲"
EMERGENCY_PLACE_AGAIN = "在12号楼3单元401"
EMERGENCY_PLACE_AGAIN_IS = "12号楼3单元401室"
EMERGENCY_NO_PHONE = "电话就不留了吧"

# ----- the Telegram bot end to end (tests/e2e/telegram)
TG_CORRIDOR_LIGHT_5_2 = "5号楼2单元楼道里的灯又不亮了"
TG_ELEVATOR_3_1 = "3号楼1单元的电梯不动了，门也打不开"
TG_LEAK_AT_DOOR_3 = "3号楼门口那块地一直在渗水"
TG_CORRIDOR_LIGHT_7_3 = "7号楼3单元楼梯间的灯黑了好几天"
TG_CORRIDOR_LIGHT_8_1 = "8号楼1单元楼道的灯一到晚上就不亮"
TG_CORRIDOR_LIGHT_6_2 = "6号楼2单元楼道里黑乎乎的，灯坏了"
TG_CONFIRM = "嗯，对的"
TG_ANSWERS = {
    "category": "楼道照明的问题",
    "location": "5号楼2单元那里",
    "description": "楼道里的灯一直不亮，晚上黑乎乎的",
    "urgency": "不着急，你们有空再来就行",
    "phone": "号码我就不留了吧",
    "yes_no": TG_CONFIRM,
    "service_type": "想办一下高龄津贴",
    "applicant": "就是我本人",
    "time": "明天上午我有空过去",
}
"""What the Telegram driver types for each kind of question (buttons keep their own labels)."""


def all_utterances() -> list[str]:
    """Every held-out utterance defined here (``{phone}`` / ``{id_no}`` placeholders filled with
    sample numbers).

    Constants ending in ``_HAS`` / ``_IS`` are what a test expects to find, not utterances.
    """
    found: list[str] = []
    for name, value in globals().items():
        if not name.isupper() or name.endswith(("_HAS", "_IS")):
            continue
        values = value.values() if isinstance(value, dict) else [value]
        found.extend(
            v.format(phone="13800001234", id_no="110101199003071234")
            for v in values
            if isinstance(v, str)
        )
    return found


# ----- understanding (issue 12): an answer inside a form that sounds urgent is still an answer
SERVICE_FOR_FATHER = "想帮我家老爷子申请个高龄补贴"
TIME_THAT_IS_NO_EMERGENCY = "周三上午我可以带他过去"
# a long written message (title + background), the way residents write to a message board
LONG_WRITTEN_REPORT = (
    "反映9号楼后面排水沟堵死的问题。这条沟从入夏以来就一直不通，前两天下大雨，"
    "水漫到了一楼住户门口，沟里全是烂树叶和塑料袋，蚊子苍蝇一大堆，物业说不归他们管，"
    "希望社区能安排人清理疏通"
)
LONG_WRITTEN_QUESTION = (
    "想了解一下给老人办理助餐的政策。我父亲今年七十六岁，一个人住，听邻居说社区食堂对"
    "老年人有优惠，请问需要满足什么条件，价格是多少，是不是要先去哪里登记"
)
LONG_EMERGENCY = (
    "快来人啊，我们单元三楼楼道里烟很大，好像是谁家着火了，黑烟一直往上冒，"
    "楼上还有好几个老人没下来，我现在在楼下"
)
LONG_STATUS_QUESTION = (
    "我上个礼拜在你们这里报了楼道灯坏的事情，给了我一个编号，到现在也没人来修，"
    "我想查一下我那个事现在办到哪一步了"
)
PAINTING_CLASS_QUESTION = "我想学画国画，社区有没有开这样的班啊，老年人能不能报"
FIRE_SAID_PLAINLY = "我们楼下那家小饭馆起火了"
BREAK_IN = "刚才有人闯进我家里来了"
GAS_BILL_QUESTION = "天然气的费用能不能在社区这边交"
# a bare problem statement, no "我要报" (slot answers name problems too: DIET alone read such
# sentences as answers; the meaning blend reads them as reports)
BARE_COMPLAINTS = {
    "card_room_noise": "隔壁棋牌室天天吵到后半夜",
    "loose_manhole": "楼下那个井盖松了 一踩就晃",
    "bike_shed_roof": "车棚顶上的铁皮被风掀起来了",
}

# ----- bad input and faults (tests/badinput, tests/faults, tests/unit/privacy/test_tracker_live)
# an elevator report step by step; the fault tests break a process in the middle of it
FAULT_REPORT_OPENING = "我想报个情况"
FAULT_ELEVATOR = "电梯门一直合不拢，上下都不敢坐"
FAULT_ELEVATOR_HAS = "合不拢"
FAULT_ELEVATOR_PLACE = "就是3号楼1单元这边"
FAULT_NOT_URGENT = "慢慢来就行，没那么赶"
FAULT_NO_PHONE = "电话先不给了"
FAULT_CONFIRM = "没错，就这么报吧"
# the tracker privacy test: an identity number in the description, a phone said in words
ELEVATOR_WITH_ID_NO = "电梯又停了不动，我身份证{id_no}"
MY_PHONE_IS = "我的手机是{phone}"
# short conversations whose stored turns a test compares word for word
HELLO_ANYONE = "喂，有人吗"
BULB_BURNT_OUT = "楼道里的灯泡烧坏了"
# bad input: a normal turn after an odd one; free text next to injection text
ONE_SHOT_LIGHT_NOT_URGENT = "5号楼2单元楼梯口的灯一直不亮，你们有空再来"
LIFT_BUTTONS_DEAD = "电梯里的按钮按了没反应"
SERVICE_FOR_MUM = "替我老妈申请一下高龄津贴"
DAY_AFTER_TOMORROW_AFTERNOON = "后天下午三点以后"
CONFIRM_SERVICE_PLAIN = "是的没错"

# ----- status of a case reported elsewhere (issue 13 item 2): tests/integration/
# test_status_elsewhere.py and tests/e2e/telegram/test_status_elsewhere_live.py. Each "%s" is
# filled by the test: first the case number's last 4 digits, then the phone's last 4.
STATUS_REPORTED_AT_KIOSK = "我前两天在服务大厅那台机子上报了个事，想问问弄得咋样了"
STATUS_NUMBER_THEN_PHONE_BARE = "单子尾号是%s，报的时候留的手机尾数是%s"
STATUS_NUMBER_AND_PHONE = "麻烦帮我看看%s那个单子办得咋样，我手机后四位是%s"
TG_STATUS_NUMBER_AND_PHONE = "那个单子后四位%s，电话尾号%s，给查查呗"

# ----- issue 14 item 6: a problem word (垃圾) outweighs a place word (单元门口); a corrected
# building is corrected in the description too (tests/integration/test_category_readback.py)
GARBAGE_AT_UNIT_DOOR = "我们3号楼1单元门口那堆垃圾，都好几天了也没人来收"
WRONG_BUILDING_SAID = "哎呀我说错了，是4号楼的"

# ----- 议事 (issue 16): a proposal step by step, votes, asking what was decided
PROPOSE_START = "那个，我琢磨了个主意，想跟社区提一提"
PROPOSAL_WHAT = "楼下那片空地能不能摆几张石凳子"
PROPOSAL_WHAT_HAS = "石凳子"
PROPOSAL_SCOPE = "全小区的事儿"
PROPOSAL_WHY = "老人遛弯走累了没处歇脚"
VOTE_START = "我也想参与一下表决，投上一票"
VOTE_HOUSEHOLD = "我家住%s号楼%s单元%s"
VOTE_DIGITS = "尾数是%s"
VOTE_FOR_MOTHER_AGAINST = "我替我老妈投，她不同意"
ASK_RESULTS = "上回那个表决现在啥情况了"
PROPOSAL_NO_REASON = "嗯，理由就不讲了"
PROPOSAL_TURNS_OUT_A_FAULT = "后院那个水龙头拧不紧了，哗哗地一直往外淌水"
LONG_GAS_SERVICE_COMPLAINT = (
    "燃气公司一直不给我们楼开通燃气，说是安全检查没过，可同一栋别人家早就通气了，"
    "我们家到现在做饭都只能用电磁炉，已经拖了两个多月，希望有关部门督促燃气公司尽快处理"
)

# ----- a question the assistant offered, chosen; a question asked after 您想问什么？
VAGUE_ELEVATOR_QUESTION = "问下电梯的事"
"""Declined with the closest FAQ questions as buttons (电梯坏了找谁修？ among them)."""
FIRE_AS_A_TOPIC = "我想问问着火那些事"
"""A question about fire safety, not a fire: no alarm."""
ASK_TO_ASK = "我想问问"
QUESTION_AFTER_ASK = "高龄津贴怎么申请"
