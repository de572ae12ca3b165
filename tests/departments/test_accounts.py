import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from departments.models import Role, User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Anquan-Shengchan-2026"


def test_add_account_creates_a_liaison_in_a_unit(campaign, monkeypatch, capsys):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    call_command("add_account", "zhangsan", unit="区应急管理局", role="liaison", email="z@example.cn", name="张三")
    user = User.objects.get(username="zhangsan")
    assert (user.unit.name, user.role, user.full_name, user.email) == ("区应急管理局", Role.LIAISON, "张三", "z@example.cn")
    assert user.check_password(GOOD_PASSWORD)
    assert "Created zhangsan" in capsys.readouterr().out


def test_add_account_accepts_an_alias_of_a_unit(campaign, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    call_command("add_account", "lisi", unit="区应急局", role="office")
    assert User.objects.get(username="lisi").unit.name == "区应急管理局"


def test_add_account_refuses_an_unknown_unit_and_suggests_close_ones(campaign, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="unknown unit.*区应急管理局"):
        call_command("add_account", "wangwu", unit="区应急管理处", role="liaison")
    assert not User.objects.filter(username="wangwu").exists()


def test_add_account_refuses_an_unknown_role(campaign, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="unknown role"):
        call_command("add_account", "wangwu", unit="区应急管理局", role="admin")


def test_add_account_refuses_a_unit_group(campaign, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="unit group"):
        call_command("add_account", "wangwu", unit="区安委各成员单位", role="liaison")


def test_add_account_refuses_a_weak_password(campaign, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="password rejected"):
        call_command("add_account", "wangwu", unit="区应急管理局", role="liaison")
    assert not User.objects.filter(username="wangwu").exists()


def test_add_account_refuses_a_duplicate_username(campaign, monkeypatch, liaison):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_account", liaison.username, unit="区应急管理局", role="liaison")


def test_an_ordinary_account_must_have_a_unit_and_a_role(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody")
    User.objects.create(username="it", is_superuser=True)


def test_seed_demo_is_refused_without_debug(campaign, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_liaison_per_unit_and_is_repeatable(campaign, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    users = User.objects.all()
    liaisons = users.filter(role=Role.LIAISON)
    from departments.models import Unit

    assert liaisons.count() == Unit.objects.real().count() == 53  # 28 departments and offices, 25 towns
    assert liaisons.values("unit").distinct().count() == 53
    assert users.filter(role=Role.OFFICE, unit__name="区安委办").count() == 1
    assert "password" in capsys.readouterr().out


def test_seed_demo_can_write_the_accounts_to_a_file_for_make_run(campaign, settings, tmp_path, capsys):
    settings.DEBUG = True
    target = tmp_path / "demo-accounts.txt"
    call_command("seed_demo", "--accounts-file", str(target))
    table = target.read_text(encoding="utf-8")
    assert "anweiban" in table and "lingdao" in table and "yinzhou-demo-2026" in table
    out = capsys.readouterr().out
    assert "written to" in out and "anweiban" not in out  # one line on the screen, the table in the file


def test_make_run_prints_the_accounts_after_the_banners_on_one_clock():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    procfile = (root / "Procfile.dev").read_text()
    assert "cat demo-accounts.txt" in procfile
    makefile = (root / "Makefile").read_text()
    assert "--accounts-file demo-accounts.txt" in makefile and "TZ=Asia/Shanghai" in makefile
    assert "demo-accounts.txt" in (root / "README.md").read_text()
