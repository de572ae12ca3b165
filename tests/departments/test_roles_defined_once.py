"""The roles are defined once (departments.access on top of User.is_office …), issue 18."""

from django.contrib.auth.models import AnonymousUser

import reports.access
import tasks.access
from departments import access


def test_every_app_uses_the_one_definition():
    assert tasks.access.is_office is reports.access.is_office is access.is_office
    assert reports.access.is_liaison is access.is_liaison
    assert reports.access.can_read_everything is access.can_read_everything


def test_the_roles(office_user, liaison, viewer, django_user_model):
    anonymous = AnonymousUser()
    it = django_user_model.objects.create_superuser("it", password="x" * 20)
    assert [access.is_office(u) for u in (office_user, it, liaison, viewer, anonymous)] == [True, True, False, False, False]
    assert [access.is_liaison(u) for u in (office_user, liaison, viewer, anonymous)] == [False, True, False, False]
    assert [access.can_read_everything(u) for u in (office_user, it, liaison, viewer, anonymous)] == [
        True, True, False, True, False,
    ]
