"""The audit log in plain Chinese: what was done (发起督办), to what (任务 7.4), and how (字段:旧值 → 新值).

One rendering for every reader — the audit-log page, its Excel export and a task page's change log —
so the three always agree. Entries are stored with stable codes (`reports.supervision.opened`) and
data as written by the services; this module turns them into words when they are read, so old
entries read as well as new ones.

Labels for the action codes live here, in one table, rather than in each app: the audit app sits
below every other app and knows their codes only as strings. A test (tests/audit/test_display.py)
reads every `log_action(...)` call in the code and fails on a code without a label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps

from .models import AuditEntry

ACTION_LABELS: dict[str, str] = {
    # Signing in and out
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.oidc.refused": "统一身份认证登录被拒绝",
    "auth.oidc.failed": "统一身份认证登录失败",
    "auth.password_changed": "修改密码",
    # API tokens
    "api.token.created": "生成接口令牌",
    "api.token.replaced": "更换接口令牌",
    # Units and accounts
    "departments.unit.created": "新增单位",
    "departments.unit.changed": "修改单位",
    "departments.unit.renamed": "单位更名",
    "departments.unit.retired": "停用单位",
    "departments.unit.reactivated": "恢复单位",
    "departments.unit.members_changed": "调整单位组成员",
    "departments.user.created": "新增账号",
    "departments.user.changed": "修改账号",
    "departments.user.password_reset": "重置密码",
    "departments.user.disabled": "停用账号",
    "departments.user.enabled": "启用账号",
    "departments.user.moved": "调整账号所属单位",
    "departments.identity.bound": "绑定外部登录身份",
    "departments.identity.unbound": "解除外部登录身份绑定",
    # The task list
    "tasks.campaign.seeded": "载入方案附件任务清单",
    "tasks.campaign.imported": "导入行动",
    "tasks.campaign.changed": "修改行动设置",
    "tasks.campaign.task_list_imported": "导入任务清单",
    "tasks.campaign.standing_rule_imported": "导入常设配合规则",
    "tasks.category.imported": "导入任务类别",
    "tasks.measure.imported": "导入措施",
    "tasks.measure.changed_by_import": "导入时修改措施",
    "tasks.task.imported": "导入任务",
    "tasks.task.changed": "修改任务",
    "tasks.task.handed_over": "交办任务",
    "tasks.task.retired": "撤销任务",
    "tasks.measure.created": "新增主要任务",
    "tasks.task.changed_by_import": "导入时修改任务",
    "tasks.import.uploaded": "上传任务清单",
    "tasks.import.applied": "应用任务清单导入",
    "tasks.import.cancelled": "取消任务清单导入",
    "tasks.duty.designated": "明确相关成员单位",
    "tasks.duty.undesignated": "撤销明确的相关成员单位",
    "tasks.duty.assigned": "指定责任单位",
    "tasks.duty.unassigned": "调整责任单位",
    "tasks.duty.reporting_on": "要求报送配合情况",
    "tasks.duty.reporting_off": "取消报送配合情况",
    "tasks.duty.exemption_declared": "申报不涉及",
    "tasks.duty.exemption_accepted": "认定不涉及",
    "tasks.duty.exemption_rejected": "不予认定不涉及",
    # Reports and review
    "reports.report.saved": "保存报送草稿",
    "reports.report.submitted": "报送进展",
    "reports.report.edited": "修改已报送内容",
    "reports.report.returned": "退回报送",
    "reports.report.approved": "审核通过报送",
    "reports.report.reopened": "重新开放报送",
    "reports.report.attached": "上传佐证材料",
    "reports.period.closed": "关闭报送周期",
    "reports.period.reopened": "重新开放报送周期",
    # Governance: 督办, 销号, 延期
    "reports.supervision.opened": "发起督办",
    "reports.supervision.answered": "答复督办",
    "reports.supervision.raised": "提升督办等级",
    "reports.supervision.closed": "办结督办",
    "reports.supervision.acknowledged": "签收督办",
    "reports.signoff.signed": "销号",
    "reports.signoff.reopened": "撤销销号",
    "reports.extension.requested": "申请延期",
    "reports.extension.approved": "批准延期",
    "reports.extension.rejected": "不予批准延期",
    "reports.extension.authority_date": "登记上级明确的完成时限",
    # Dashboard, 考核 and rollups
    "dashboard.weights.changed": "修改考核权重",
    "dashboard.rollup.requested": "申请生成季度汇总",
    "dashboard.rollup.built": "生成季度汇总",
    "dashboard.rollup.mailed": "发送季度汇总",
    "dashboard.circular.issued": "印发通报",
    # Indicators (目标指标)
    "indicators.seeded": "载入目标指标",
    "indicators.unit.assigned": "指定指标责任单位",
    "indicators.unit.removed": "移除指标责任单位",
    "indicators.value.saved": "保存指标值草稿",
    "indicators.value.submitted": "报送指标值",
    "indicators.value.edited": "修改已报送的指标值",
    "indicators.value.returned": "退回指标值",
    "indicators.value.approved": "审核通过指标值",
    "indicators.value.corrected": "更正指标值",
    # Task milestones (dated steps)
    "tasks.milestone.reached": "完成节点",
    "tasks.milestone.reopened": "重新打开节点",
    # Reminders
    "reminders.run.finished": "生成每日提醒",
    "reminders.chase.report": "催报",
    "reminders.chase.supervision": "催办",
    "reminders.rule.changed": "修改提醒规则",
    "reminders.workday.created": "新增工作日调整",
    "reminders.workday.changed": "修改工作日调整",
    "reminders.workday.deleted": "删除工作日调整",
    "reminders.notification.read": "阅读通知",
    "reminders.notification.read_all": "通知全部标为已读",
    # The benchmark's own marker (bench/run.py), never in production
    "bench.change": "性能测试数据变更",
}

ADMIN_VERBS = {"created": "新增", "changed": "修改", "deleted": "删除"}
_ADMIN_ACTION = re.compile(r"^(?P<model>[a-z_]+\.[a-z_0-9]+)\.(?P<verb>created|changed|deleted)_in_admin$")

# Keys of `data` as people call them; keys not listed are shown as stored.
DATA_LABELS: dict[str, str] = {
    "task": "任务",
    "key": "任务编号",
    "period": "报送周期",
    "version": "版本",
    "state": "状态",
    "comment": "意见",
    "reason": "理由",
    "unit": "单位",
    "role": "角色",
    "group": "单位组",
    "level": "督办等级",
    "respond_by": "答复时限",
    "requested_date": "申请的完成时限",
    "approved_date": "批准的完成时限",
    "authority_date": "上级明确的完成时限",
    "original_date": "原完成时限",
    "username": "账号",
    "name": "名称",
    "source": "来源",
    "size": "大小(字节)",
    "count": "数量",
    "by": "方式",
    "day": "日期",
    "owed": "应提醒",
    "claimed": "已生成提醒",
    "digests": "提醒汇总",
    "deliveries": "推送",
    "attachments": "附件",
    "fields": "修改的字段",
    "text": "内容",
    "reports": "报送配合情况",
    "created": "新增",
    "changed": "修改",
    "unchanged": "未变",
    "note": "说明",
    "added": "新增",
    "removed": "移除",
    "kind": "类型",
    "sort_order": "排序",
    "full_name": "姓名",
    "why": "原因",
    "deadline": "完成时限",
    "ended": "结束的责任",
    "lead": "牵头单位",
    "support": "责任(配合)单位",
}
# Internal keys that only serve to find entries (the task page's history), never read by people.
HIDDEN_KEYS = {"task_id", "changes", "campaign_id"}

VALUE_LABELS: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已报送",
    "returned": "被退回",
    "approved": "已通过",
    "rejected": "不予批准",
    "pending": "待审批",
    "open": "待答复",
    "answered": "已答复",
    "closed": "已办结",
    "liaison": "联络员",
    "office": "安委办",
    "viewer": "领导(只读)",
    "lead": "牵头",
    "support": "配合",
    "rollup": "生成季度汇总时",
    "seed": "初始化",
}

# Values whose meaning depends on the key (督办等级 1/2/3).
KEY_VALUE_LABELS: dict[str, dict] = {"level": {1: "提示", 2: "督办", 3: "通报"}}

_DEFAULT_REPR = re.compile(r"^\w+ object \((?P<pk>[^)]*)\)$")


def action_label(action: str) -> str:
    """发起督办 for `reports.supervision.opened`; 后台修改单位 for an admin edit; the code itself if unknown."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    match = _ADMIN_ACTION.match(action)
    if match:
        return f"后台{ADMIN_VERBS[match['verb']]}{model_label(match['model'])}"
    return action


def model_label(object_type: str) -> str:
    """单位 for `departments.unit` (the model's verbose name), or the type itself if unknown."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return ";".join(f"{DATA_LABELS.get(k, k)}:{_value(v)}" for k, v in value.items())
    text = str(value)
    return VALUE_LABELS.get(text, text)


def object_label(entry: AuditEntry) -> str:
    """The object as people name it. New entries store that name (the model's `audit_name`); older
    ones may hold Django's "ExtensionRequest object (2)", which becomes 延期申请 · 任务 7.4."""
    text = entry.object_repr or ""
    if not entry.object_type:
        return text
    if not text or _DEFAULT_REPR.match(text):
        label = model_label(entry.object_type)
        task = (entry.data or {}).get("task")
        return f"{label} · 任务 {task}" if task else f"{label} {entry.object_id}".strip()
    return text


def detail_lines(data: dict | None) -> list[str]:
    """`data` in words: changed fields as 字段:旧值 → 新值 first, then the other facts as 名称:值."""
    data = data or {}
    lines = []
    for change in data.get("changes") or []:
        field = change.get("field", "")
        if change.get("secret"):
            lines.append(f"{field}:已修改")
        else:
            lines.append(f"{field}:{_value(change.get('old'))} → {_value(change.get('new'))}")
    for key, value in data.items():
        if key in HIDDEN_KEYS:
            continue
        if key == "attachments" and isinstance(value, list):
            lines.append(f"附件:{len(value)} 个")
            continue
        value = KEY_VALUE_LABELS.get(key, {}).get(value, value) if not isinstance(value, (list, dict)) else value
        lines.append(f"{DATA_LABELS.get(key, key)}:{_value(value)}")
    return lines


@dataclass(frozen=True)
class EntryView:
    """One entry as every reader shows it."""

    entry: AuditEntry
    when: object
    actor: str
    action: str
    object: str
    details: list[str]

    @property
    def details_text(self) -> str:
        return ";".join(self.details)


def actor_label(entry: AuditEntry) -> str:
    """张三(区应急管理局) when the account still exists (select_related("user__unit")), else its
    username; 系统 for jobs and commands; the name tried for a failed login."""
    user = entry.user
    if user is not None:
        name = getattr(user, "display_name", "") or entry.username
        unit = getattr(getattr(user, "unit", None), "name", "")
        return f"{name}({unit})" if unit else name
    if entry.username:
        return entry.username
    tried = (entry.data or {}).get("username")
    return f"{tried}(未登录)" if tried and entry.action.startswith("auth.") else "系统"


def present(entry: AuditEntry) -> EntryView:
    return EntryView(
        entry=entry,
        when=entry.created_at,
        actor=actor_label(entry),
        action=action_label(entry.action),
        object=object_label(entry),
        details=detail_lines(entry.data),
    )


def present_all(entries: Iterable[AuditEntry]) -> list[EntryView]:
    return [present(entry) for entry in entries]
