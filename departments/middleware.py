"""An account signed in with a one-time password must set its own before doing anything else."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED = ("password_change", "password_change_done", "logout")


class ForcePasswordChangeMiddleware:
    """Every page but 修改密码 and 退出 redirects there (the API answers 403) while
    `must_change_password` is set. Static files and the health check are not behind it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in ALLOWED}
            path = request.path_info
            if path not in allowed and not path.startswith((settings.STATIC_URL, "/healthz")):
                if path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "请先在网页上修改一次性密码。", "code": "password_change_required"},
                                        status=403)
                return redirect(f"{reverse('password_change')}?first=1")
        return self.get_response(request)
