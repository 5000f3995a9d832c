"""Everything the bot says on its own (Rasa says the rest): warm, short, Simplified Chinese."""

from __future__ import annotations

START = (
    "您好，我是邻里小助手 🏠\n"
    "我可以帮您：\n"
    "• 报事：楼道灯坏了、漏水、电梯故障……\n"
    "• 咨询：社区的办事时间、政策问题\n"
    "• 办事：高龄津贴、居住证明等要带什么材料\n"
    "打字或者发语音都可以，也可以发照片和位置。\n\n"
    "隐私说明：您发来的文字、语音和照片只用来办理您的事情，由社区工作人员查看；"
    "您的电话号码，只有要给您回电话的网格员和管理员能看到全号，其他工作人员看到的中间几位是遮住的。"
    "语音识别在本地完成，不会发给其他公司。"
    "想让人工帮忙，随时发 /human 或说“转人工”。"
)
HELP = (
    "常用的说法：\n"
    "• “3号楼楼道灯坏了” —— 报事\n"
    "• “高龄津贴怎么办” —— 办事\n"
    "• “社区几点上班” —— 咨询\n"
    "命令：/status 查看我的工单，/mode 长辈模式（语音回复、大按钮），/human 转人工，"
    "/tongzhi 通知设置（停水、议事会这些通知）。"
)
HEARD = "我听到的是：{text}"
VOICE_UNCLEAR = "没听清楚，请您再说一遍，慢一点说就好。"
VOICE_FAILED = "这段语音我没能处理好，请您再发一次，或者直接打字。"
OUTAGE = "系统正在维护，您说的话我已经记下了，恢复后会马上接着办，不会丢。请稍等一下。"
OUTAGE_QUEUED = "已记下，系统恢复后按顺序处理。"
RECOVERED = "系统恢复了，接着办您刚才说的：“{text}”"
RECOVERED_PLAIN = "系统恢复了，接着办您刚才的事。"
SLOW = "系统有点忙，您的话已经收到，请稍等。"
MODE_ON = "已打开长辈模式：回复会同时发语音，按钮更大。再发 /mode 可以关掉。"
MODE_OFF = "已关闭长辈模式。"
MODE_BUTTON_ON = "🔊 长辈模式"
ELSEWHERE_HINT = (
    "在自助机或别处报的事，把编号和报事时留的手机号后四位发给我就能查，"
    "比如：尾号0098，手机后四位5678。"
)
NO_CASES = "您在这里还没有工单。想报事的话，直接告诉我哪里出了什么问题就行。\n" + ELSEWHERE_HINT
CASES_HEADER = "您的工单："
CASE_LINE = "• {case_no}｜{what}｜{status}"
STATUS_FAILED = "暂时查不到工单，请稍后再试。"
PHOTO_KEPT = "照片收到了，工单建好后会一起交给工作人员。"
PHOTO_ATTACHED = "照片已经附到工单 {case_no}，工作人员能看到。"
LOCATION_KEPT = "位置收到了，工单建好后会一起交给工作人员。"
LOCATION_ATTACHED = "位置已经附到工单 {case_no}。"
ATTACHED_LATER = "您刚才发的{what}已经附到工单 {case_no}。"
ATTACH_FAILED = "附件暂时没能存上，我会稍后再试。"
PHOTO_TOO_BIG = "照片太大了，请发一张小一点的（5MB 以内）。"
PHOTO_BAD_TYPE = "这个文件不是照片，请发 JPG 或 PNG 图片。"
CHOSEN = "您选了：{title}"
RATE_QUESTION = "问题解决了吗？请点一下："
RATE_BUTTONS = (("解决了", "resolved"), ("部分解决", "partial"), ("没解决", "unresolved"))
RATE_THANKS = {
    "resolved": "太好了，谢谢您的确认！",
    "partial": "收到，我们会继续跟进没解决的部分。",
    "unresolved": "很抱歉还没解决，工单已经重新打开，工作人员会尽快再处理。",
}
RATE_FAILED = "确认暂时没能提交，请稍后再点一次。"
HUMAN_TEXT = "转人工"
ERROR = "抱歉，刚才出了点问题，请再说一遍。"
NOT_ALLOWED = "抱歉，这个助手只服务本社区的居民。"
SLOW_LOST = "刚才系统有点慢，您的话已经收到了。如果没看到回复，请再说一遍就好。"

NOTICE_WORDS = ("通知设置", "通知設置", "设置通知", "設置通知", "通知")
"""Typed words that open the notice setting (besides /tongzhi and the button; Traditional too)."""
NOTICE_HEAD = "📢 社区通知：{title}"
NOTICE_UNTIL = "（到{when}为止）"
NOTICE_SETTINGS_BUTTON = "通知设置"
NOTICE_ASK = "您住几号楼？这样停水、议事会这些通知只发和您有关的。"
NOTICE_ASK_NO_BUILDINGS = "楼号一时没取到，请过一会儿再发 /tongzhi 选楼号。现在可以先选："
NOTICE_ALL_BUTTON = "都要"
NOTICE_OFF_BUTTON = "不要通知"
NOTICE_NOW_BUILDING = "现在记的是：您住{building}。"
NOTICE_NOW_ALL = "现在是：所有通知都发给您。"
NOTICE_NOW_OFF = "现在是：不给您发通知。"
NOTICE_SET_BUILDING = "好的，记住了，您住{building}。全社区的通知和{building}的通知都会发给您。"
NOTICE_SET_ALL = "好的，所有的通知都发给您。"
NOTICE_SET_OFF = "好的，以后不发通知了。想再收，发 /tongzhi 就行。"
NOTICE_SET_UNKNOWN = "没找到这栋楼，请再点一次楼号。"

ELDER_SHORT = {
    START: "您好，我是邻里小助手。有事直接说，打字、发语音都行。想找人工，就说“转人工”。",
    HELP: "有事直接说就行，比如“楼道灯坏了”。查工单发 /status，找人工发 /human，"
    "通知设置发 /tongzhi。",
    OUTAGE: "系统在维护，您的话已经记下了，好了马上接着办。",
    SLOW_LOST: "您的话收到了。没看到回复的话，请再说一遍。",
}
"""Shorter wording for 长辈模式 (same meaning, fewer words)."""


def for_mode(text: str, elder_mode: bool) -> str:
    """The wording to use: the short one in 长辈模式 when there is one."""
    return ELDER_SHORT.get(text, text) if elder_mode else text
