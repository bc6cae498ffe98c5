"""What the audit log's action names mean, in words a hall manager reads (issue #12 point 5).

Every change is logged under an action name (`uow.audit("case.read", ...)`, server/db/uow.py);
the readable audit log shows each with its Chinese label first and the English beside it. A name
missing here is shown as it is: the label table can fall behind, the log cannot lose an entry.
tests/core/test_audit_labels.py reads every action the server logs from its source and checks
that each has a label here.

`IMPORTANT` lists the kinds a manager looks for most (the issue names them): changes of the
window allocation, reads of a full identity, force-finished services, exclusions of ratings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionLabel:
    action: str
    zh: str
    en: str


_LABELS: tuple[tuple[str, str, str], ...] = (
    # Allocation (issue #11) and the manager's board
    ("allocation.change", "调整窗口分配", "window allocation changed"),
    ("proposal.updated", "跨窗通办建议更新", "overflow proposals updated"),
    ("alert.board", "大厅预警", "board alert"),
    ("alert.queues", "队列预警", "queue alert"),
    # Monitor actions on tickets
    ("monitor.transfer", "监控转办", "ticket transferred by a manager"),
    ("monitor.priority", "调整优先级", "ticket priority changed"),
    ("monitor.cancel", "作废号码", "ticket cancelled"),
    ("monitor.reactivate", "恢复过号", "no-show reactivated"),
    ("monitor.force_finish", "强制结束服务", "service force-finished"),
    # Tickets at the kiosk and the windows
    ("ticket.issue", "取号", "ticket issued"),
    ("appointment.check_in", "预约签到", "appointment checked in at the kiosk"),
    ("ticket.reprint", "补打号票", "ticket reprinted"),
    ("ticket.call", "叫号", "ticket called"),
    ("ticket.call_number", "特呼", "number called out of turn"),
    ("ticket.recall", "重呼", "ticket called again"),
    ("ticket.start", "开始办理", "service started"),
    ("ticket.no_show", "过号", "no-show"),
    ("ticket.finish", "办结", "service finished"),
    ("ticket.transfer", "窗口转办", "ticket transferred at the window"),
    ("ticket.suspend", "挂起", "ticket suspended"),
    ("ticket.resume", "恢复挂起", "suspended ticket resumed"),
    # Windows
    ("window.open", "窗口签到", "window opened"),
    # Only in a simulated day's scratch database (hallq simulate), never in a hall's own log.
    ("sim.staff", "模拟日排班", "simulated day staffed"),
    ("window.pause", "窗口暂停", "window paused"),
    ("window.resume", "窗口恢复", "window resumed"),
    ("window.close", "窗口关闭", "window closed"),
    ("window.sign_off", "窗口签退", "signed off the window"),
    ("window.hand_over", "窗口交接", "window handed over"),
    ("window.set_printer", "设置窗口打印机", "window printer set"),
    # Cases (articles 14-16)
    ("case.read", "查阅完整身份信息", "full identity read"),
    ("case.transition", "办件状态变更", "case status changed"),
    ("case.pull", "平台拉取办件", "cases pulled by the platform"),
    ("case.warnings", "办件时限预警", "case deadline warnings"),
    # Appointments (预约)
    ("appointment.book", "预约", "appointment booked"),
    ("appointment.cancel", "取消预约", "appointment cancelled"),
    ("appointment.no_show", "预约未到", "appointment missed (no-show)"),
    ("progress.lookup_failed", "办件进度查询失败", "failed case progress query"),
    ("notice.lookup_failed", "取号机补正告知书查询失败", "failed notice lookup at a kiosk"),
    ("appointment.hall_cancel", "大厅取消预约（非工作日或不在办理时间）",
     "booking cancelled by the hall (closed day or outside hours)"),
    ("appointment.cancel_failed", "取消预约校验失败", "failed booking cancel (wrong last four)"),
    ("case.answer", "收件审查答复", "received case answered"),
    ("case.extension_requested", "申请延长办理时限", "time-limit extension requested"),
    ("case.extension_approved", "批准延长办理时限", "time-limit extension approved"),
    ("case.extension_rejected", "驳回延长办理时限", "time-limit extension rejected"),
    ("case.suspended", "中止计时", "case clock suspended"),
    ("case.resumed", "恢复计时", "case clock resumed"),
    # Documents (issue 14): each is issued within the change it belongs to; a reprint on its own
    ("document.reprint", "补打文书", "document reprinted"),
    # Accounts, devices, the hall
    ("auth.login", "登录", "signed in"),
    ("auth.logout", "退出登录", "signed out"),
    ("auth.failed", "登录失败", "failed sign-in"),
    ("user.add", "新增用户", "user added"),
    ("user.disable", "停用用户", "user disabled"),
    ("user.reset_password", "重置密码", "password reset"),
    ("user.unlock", "解除锁定", "user unlocked"),
    ("device.add", "新增设备", "device added"),
    ("device.revoke", "吊销设备", "device revoked"),
    ("device.update", "修改设备", "device updated"),
    ("printer.status", "打印机状态", "printer status"),
    ("hall.notice", "大厅公告", "hall notice"),
    # The service guides (办事指南, issue #14 point 5)
    ("guide.revise", "修订办事指南", "service guide revised"),
    ("guide.form", "上传示范文本", "sample form uploaded"),
    ("day.rollover", "日终切换", "day rolled over"),
    # Ratings (好差评) and their follow-up (差评整改)
    ("rating.add", "提交评价", "rating given"),
    ("followup.opened", "差评整改立项", "poor-rating follow-up opened"),
    ("followup.step", "差评整改进展", "follow-up step"),
    ("followup.appeal", "差评申诉", "rating appealed"),
    ("followup.excluded", "批准申诉，排除评价", "appeal approved, rating excluded"),
    ("followup.appeal_rejected", "驳回申诉", "appeal rejected"),
    ("followup.warnings", "整改时限预警", "follow-up deadline warnings"),
)

LABELS: dict[str, ActionLabel] = {a: ActionLabel(a, zh, en) for a, zh, en in _LABELS}

# The kinds the issue names, as filters the audit page offers first: a filter is an action name,
# the prefix of several (`followup.` for the whole follow-up) or a comma-separated list. A rating
# is excluded when a manager approves its appeal (branch followups logs `followup.excluded`).
IMPORTANT: tuple[ActionLabel, ...] = (
    ActionLabel("allocation.change", "调整窗口分配", "allocation changes"),
    ActionLabel("case.read", "查阅完整身份信息", "full-identity reads"),
    ActionLabel("monitor.force_finish", "强制结束服务", "force-finishes"),
    ActionLabel("followup.excluded", "排除评价", "exclusions of ratings"),
)


def label(action: str) -> ActionLabel:
    """The action's label; an unknown name stands for itself in both languages."""
    return LABELS.get(action) or ActionLabel(action, action, action)


def actions_matching(text: str) -> list[str]:
    """The actions whose Chinese or English label holds `text` (any case): a search for 强制 or
    "force" finds monitor.force_finish though its name says neither."""
    needle = text.strip().lower()
    if not needle:
        return []
    return sorted(a for a, lb in LABELS.items() if needle in lb.zh.lower() or needle in lb.en.lower())
