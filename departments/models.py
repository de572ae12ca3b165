"""Units (departments, offices, towns/streets, unit groups) and the accounts that belong to them."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


def normalize_name(name: str) -> str:
    """Canonical form of a unit name for matching: half-width punctuation, no whitespace.

    Files from Excel/WPS mix full-width and half-width brackets and commas and carry
    stray spaces and line breaks; NFKC folds the former, the join drops the latter.
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "区级部门"
    OFFICE = "office", "议事协调机构办公室"
    TOWN = "town", "镇(街道、园区)"
    GROUP = "group", "单位组"


class MemberDuty(models.TextChoices):
    """How a group named on a task binds its members — the annex's wording decides it.

    "区安委各成员单位" (every member) binds each member unit; "区安委会相关成员单位" and
    "区各相关部门" (the relevant members) bind only the members the office names for that task.
    """

    EACH = "each", "各成员单位均承担"
    RELEVANT = "relevant", "由区安委办明确相关成员单位"


def member_duty_for_name(name: str) -> str:
    """The duty a group's name implies: "相关" (relevant) names a subset, anything else every member."""
    return MemberDuty.RELEVANT if "相关" in name else MemberDuty.EACH


class UnitQuerySet(models.QuerySet):
    def real(self) -> "UnitQuerySet":
        """Units that can hold accounts and report (everything but groups)."""
        return self.exclude(kind=UnitKind.GROUP)

    def groups(self) -> "UnitQuerySet":
        return self.filter(kind=UnitKind.GROUP)

    def named_for(self, unit) -> "UnitQuerySet":
        """The unit itself and every group it is a member of: the units whose assignments are its.

        Filter assignments with `unit__in=Unit.objects.named_for(unit)`: a few hundred units are
        checked once. (`Q(unit=u) | Q(unit__members=u)` on the assignments joined every
        assignment of every campaign to the group memberships — ≈ 980,000 row pairs, 56 ms on
        我的任务 at city scale.)
        """
        unit_id = getattr(unit, "pk", unit)  # a Unit or its id
        return self.filter(Q(pk=unit_id) | Q(members=unit_id)).values("pk")


class Unit(models.Model):
    """A district department or office, a town/street/park, or a group of units.

    A group (e.g. 区安委各成员单位) is assigned to tasks like any unit; its members,
    maintained by the office, are the units that then owe the work.
    """

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    aliases = models.TextField(
        "别名",
        blank=True,
        help_text="其他写法,每行一个(如“区应急局”),导入任务清单时用于识别单位。",
    )
    members = models.ManyToManyField(
        "self",
        verbose_name="成员单位",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        help_text="仅单位组填写:该组包含的单位。",
    )
    member_duty = models.CharField(
        "成员单位的责任",
        max_length=10,
        choices=MemberDuty.choices,
        blank=True,
        help_text="仅单位组填写:“各成员单位”——每个成员单位均承担;“相关成员单位”——由区安委办逐项明确。",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    webhook_url = models.URLField(
        "群机器人地址",
        blank=True,
        help_text="钉钉/企业微信群机器人的 Webhook 地址(可选),提醒会同时推送到该群。",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                name="unit_member_duty_only_for_groups",
                condition=Q(kind=UnitKind.GROUP) | Q(member_duty=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind == UnitKind.GROUP

    @property
    def binds_each_member(self) -> bool:
        return self.is_group and self.member_duty != MemberDuty.RELEVANT

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Role(models.TextChoices):
    LIAISON = "liaison", "联络员"
    OFFICE = "office", "安委办"
    VIEWER = "viewer", "领导(只读)"


class User(AbstractUser):
    """An account. Everyone but IT superusers belongs to exactly one unit and has one role."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    must_change_password = models.BooleanField(
        "下次登录须修改密码",
        default=False,
        help_text="区安委办新建账号或重置密码后为“是”:用一次性密码登录后必须先设置自己的密码。",
    )

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            # An ordinary account without a unit and a role could see nothing and do nothing
            # sensible; only superusers (IT) may lack them.
            models.CheckConstraint(
                name="user_has_unit_and_role_unless_superuser",
                condition=Q(is_superuser=True) | (Q(unit__isnull=False) & ~Q(role="")),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def audit_name(self) -> str:
        """区应急管理局 · 张三(联络员): the account as the audit log names it."""
        who = f"{self.display_name}({self.get_role_display() or ('系统管理员' if self.is_superuser else '账号')})"
        return f"{self.unit.name} · {who}" if self.unit_id else who

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_liaison(self) -> bool:
        return self.role == Role.LIAISON

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE or self.is_superuser

    @property
    def is_viewer(self) -> bool:
        return self.role == Role.VIEWER


class IdentityProvider(models.TextChoices):
    ZWDING = "zwding", "浙政钉"
    OIDC = "oidc", "统一身份认证(OIDC)"


class ExternalIdentity(models.Model):
    """A sign-in identity from outside (浙政钉 account, an OIDC subject) bound to one of our accounts.

    Binding, never auto-creation: an outside identity signs in only once the office (系统管理) or the
    person (once, after a password sign-in) has bound it to an existing account. One identity maps
    to one account, and an account has at most one identity per provider.
    """

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField("身份来源", max_length=20, choices=IdentityProvider.choices)
    # 浙政钉: the accountId (or employee code) from getuserinfo_bycode; OIDC: the `sub` claim.
    subject = models.CharField("外部账号标识", max_length=200)
    display_name = models.CharField("外部账号名称", max_length=100, blank=True)
    bound_at = models.DateTimeField("绑定时间", auto_now_add=True)
    bound_by = models.ForeignKey(
        User, verbose_name="绑定人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "外部身份绑定"
        verbose_name_plural = "外部身份绑定"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_subject_unique"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_one_per_provider"),
            models.CheckConstraint(name="identity_subject_not_blank", condition=~Q(subject="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.display_name or self.subject} → {self.user}"
