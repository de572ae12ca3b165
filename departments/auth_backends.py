"""Password sign-in, and the signed-in account of every request loaded with its unit."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class AccountBackend(ModelBackend):
    """Django's ModelBackend, except that the account of each signed-in request comes with its
    unit in the same query: every page names the unit (the navbar) and most read it, which
    cost a second query per request (issue 20). The other sign-in backends (浙政钉, OIDC) load
    their sessions' accounts the same way."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
