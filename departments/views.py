"""系统管理 · 账号 (and the 系统管理 home): thin views over departments.accounts.

Every view asks `require_account_manager` first (403 for liaisons and viewers, nothing changes),
validates a form, calls one service and redirects — except the two that make a one-time
password, which render it once in the response and never store it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.net import client_ip

from . import accounts, units
from . import identities
from .forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountMoveForm,
    GroupMembersForm,
    IdentityBindForm,
    UnitCreateForm,
    UnitForm,
)
from .models import ExternalIdentity, Unit, User


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _account(account_id: int) -> User:
    return get_object_or_404(User.objects.select_related("unit").filter(is_superuser=False), pk=account_id)


@require_GET
@login_required
def system_home(request):
    accounts.require_account_manager(request.user)
    counts = User.objects.filter(is_superuser=False).aggregate(
        active=Count("pk", filter=Q(is_active=True)), disabled=Count("pk", filter=Q(is_active=False))
    )
    return render(request, "system/home.html", {"counts": counts, "active_units": Unit.objects.filter(is_active=True).count()})


@require_GET
@login_required
def account_list(request):
    """Every account, grouped by unit in the units' order (two queries whatever their number)."""
    accounts.require_account_manager(request.user)
    show = request.GET.get("show", "")
    users = User.objects.filter(is_superuser=False).select_related("unit").order_by(
        "unit__kind", "unit__sort_order", "unit_id", "-is_active", "role", "username"
    )
    if show == "disabled":
        users = users.filter(is_active=False)
    query = (request.GET.get("q") or "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query) | Q(unit__name__icontains=query))
    groups: dict[int, dict] = {}
    for user in users:
        groups.setdefault(user.unit_id, {"unit": user.unit, "accounts": []})["accounts"].append(user)
    return render(request, "system/accounts.html", {"groups": list(groups.values()), "show": show, "q": query,
                                                     "total": sum(len(g["accounts"]) for g in groups.values())})


@require_http_methods(["GET", "POST"])
@login_required
def account_create(request):
    accounts.require_account_manager(request.user)
    form = AccountCreateForm(request.POST or None, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        try:
            account, password = accounts.account_open(by=request.user, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _show_password(request, account, password, created=True)
    return render(request, "system/account_form.html", {"form": form, "rules": accounts.password_rules()})


def _show_password(request, account: User, password: str, *, created: bool):
    response = render(request, "system/one_time_password.html", {"account": account, "password": password, "created": created})
    response["Cache-Control"] = "no-store"  # the password must not come back from a cache or the back button
    return response


@require_http_methods(["GET", "POST"])
@login_required
def account_detail(request, account_id: int):
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    form = AccountEditForm(request.POST or None, initial={f: getattr(account, f) for f in accounts.EDITABLE})
    move_form = AccountMoveForm(initial={"unit": account.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.account_update(by=request.user, account=account, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已保存“{account.display_name}”的账号信息。")
            return redirect("system:account", account.pk)
    return _render_account(request, account, form=form, move_form=move_form)


def _render_account(request, account: User, *, form=None, move_form=None, identity_form=None, status: int = 200):
    return render(request, "system/account_detail.html", {
        "account": account,
        "form": form or AccountEditForm(initial={f: getattr(account, f) for f in accounts.EDITABLE}),
        "move_form": move_form or AccountMoveForm(initial={"unit": account.unit_id}),
        "identity_form": identity_form or IdentityBindForm(),
        "identities": list(account.identities.select_related("bound_by").order_by("provider")),
    }, status=status)


@require_POST
@login_required
def account_identity_bind(request, account_id: int):
    """Bind a 浙政钉 (or OIDC) identity to this account; errors shown on the account page."""
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    identity_form = IdentityBindForm(request.POST)
    if identity_form.is_valid():
        try:
            identities.bind_identity(by=request.user, account=account, ip_address=client_ip(request),
                                     **identity_form.cleaned_data)
        except ValidationError as error:
            _apply_errors(identity_form, error)
        else:
            messages.success(request, f"已为“{account.display_name}”绑定外部登录账号。")
            return redirect("system:account", account.pk)
    return _render_account(request, account, identity_form=identity_form, status=400)


@require_POST
@login_required
def account_identity_unbind(request, account_id: int, identity_id: int):
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    identity = get_object_or_404(ExternalIdentity, pk=identity_id, user=account)
    identities.unbind_identity(by=request.user, identity=identity, ip_address=client_ip(request))
    messages.success(request, f"已解除“{account.display_name}”的{identity.get_provider_display()}绑定。")
    return redirect("system:account", account.pk)


@require_POST
@login_required
def own_identity_unbind(request, identity_id: int):
    """A person removes their own binding (修改密码 page); another account's binding is a 404."""
    identity = get_object_or_404(ExternalIdentity, pk=identity_id, user=request.user)
    identities.unbind_identity(by=request.user, identity=identity, ip_address=client_ip(request))
    messages.success(request, f"已解除{identity.get_provider_display()}绑定。")
    return redirect("password_change")


@require_POST
@login_required
def account_move(request, account_id: int):
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    move_form = AccountMoveForm(request.POST)
    if move_form.is_valid():
        try:
            accounts.account_move(by=request.user, account=account, unit=move_form.cleaned_data["unit"],
                                  ip_address=client_ip(request))
        except ValidationError as error:
            _apply_errors(move_form, error)
        else:
            messages.success(request, f"已将“{account.display_name}”调到{move_form.cleaned_data['unit'].name}。")
            return redirect("system:account", account.pk)
    form = AccountEditForm(initial={f: getattr(account, f) for f in accounts.EDITABLE})
    return render(request, "system/account_detail.html", {"account": account, "form": form, "move_form": move_form},
                  status=400)


@require_POST
@login_required
def account_reset_password(request, account_id: int):
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    password = accounts.account_password_reset(by=request.user, account=account, ip_address=client_ip(request))
    if account.pk == request.user.pk:
        update_session_auth_hash(request, User.objects.get(pk=account.pk))
    return _show_password(request, account, password, created=False)


@require_POST
@login_required
def account_set_active(request, account_id: int):
    accounts.require_account_manager(request.user)
    account = _account(account_id)
    active = request.POST.get("active") == "1"
    try:
        accounts.account_set_active(by=request.user, account=account, active=active, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, ";".join(error.messages))
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{account.display_name}”的账号。")
    return redirect("system:account", account.pk)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, plus: the one-time password's obligation ends here, and it is audited."""

    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identities"] = list(self.request.user.identities.order_by("provider"))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(user=self.request.user, ip_address=client_ip(self.request))
        return response


# --- 系统管理 · 单位 ----------------------------------------------------------------------------


def _unit(unit_id: int) -> Unit:
    return get_object_or_404(Unit, pk=unit_id)


@require_GET
@login_required
def unit_list(request):
    """Units by kind in their order, with their accounts and members counted in SQL (one query)."""
    accounts.require_account_manager(request.user)
    units = Unit.objects.annotate(
        account_count=Count("users", filter=Q(users__is_active=True), distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("-is_active", "kind", "sort_order", "id")
    return render(request, "system/units.html", {"units": units})


@require_http_methods(["GET", "POST"])
@login_required
def unit_create(request):
    accounts.require_account_manager(request.user)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.unit_add(by=request.user, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已新增单位“{unit.name}”。")
            return redirect("system:unit", unit.pk)
    return render(request, "system/unit_form.html", {"form": form})


def _unit_page(request, unit: Unit, form=None, members_form=None, status: int = 200):
    form = form or UnitForm(initial={"name": unit.name, "aliases": unit.aliases, "sort_order": unit.sort_order,
                                     "webhook_url": unit.webhook_url})
    if unit.is_group and members_form is None:
        members_form = GroupMembersForm(initial={"members": list(unit.members.values_list("pk", flat=True))})
    context = {"unit": unit, "form": form, "members_form": members_form,
               "unit_accounts": unit.users.order_by("-is_active", "username")}
    return render(request, "system/unit_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def unit_detail(request, unit_id: int):
    accounts.require_account_manager(request.user)
    unit = _unit(unit_id)
    if request.method != "POST":
        return _unit_page(request, unit)
    form = UnitForm(request.POST)
    if form.is_valid():
        try:
            units.unit_update(by=request.user, unit=unit, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "已保存单位信息。")
            return redirect("system:unit", unit.pk)
    return _unit_page(request, unit, form=form)


@require_POST
@login_required
def unit_members(request, unit_id: int):
    accounts.require_account_manager(request.user)
    unit = _unit(unit_id)
    members_form = GroupMembersForm(request.POST)
    if members_form.is_valid():
        try:
            units.group_members_set(by=request.user, group=unit, members=list(members_form.cleaned_data["members"]),
                                    ip_address=client_ip(request))
        except ValidationError as error:
            _apply_errors(members_form, error)
        else:
            messages.success(request, "已保存成员单位;各任务的责任单位随之调整。")
            return redirect("system:unit", unit.pk)
    return _unit_page(request, unit, members_form=members_form, status=400)


@require_POST
@login_required
def unit_set_active(request, unit_id: int):
    accounts.require_account_manager(request.user)
    unit = _unit(unit_id)
    active = request.POST.get("active") == "1"
    try:
        units.unit_set_active(by=request.user, unit=unit, active=active, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, ";".join(error.messages))
    else:
        messages.success(request, f"已{'恢复' if active else '停用'}单位“{unit.name}”。")
    return redirect("system:unit", unit.pk)
