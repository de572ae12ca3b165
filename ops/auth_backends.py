"""django-axes' lock-out check, for web logins only."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes refuses authenticate() calls without a request; those come from code, not from a
    browser (management commands, the test client's login()), and have no address to lock, so
    they are passed on to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
