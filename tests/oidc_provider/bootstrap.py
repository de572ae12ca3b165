"""Prepare the stand-in provider's database: migrate, the client application (confidential,
authorization code, RS256, no consent screen) and its users.

    python -m tests.oidc_provider.bootstrap <client_id> <client_secret> <redirect uri>... \
        --user <username>:<password>:<full name> ...

Prints one line per user: `<username> <sub>` (the `sub` the provider will assert for them).
"""

import argparse
import os
import sys


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("client_id")
    parser.add_argument("client_secret")
    parser.add_argument("redirect_uris", nargs="+")
    parser.add_argument("--user", action="append", default=[])
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.update_or_create(
        client_id=args.client_id,
        defaults={
            "name": "鄞州区治本攻坚任务管理系统",
            "client_secret": args.client_secret,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": " ".join(args.redirect_uris),
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    User = get_user_model()
    for spec in args.user:
        username, password, full_name = spec.split(":", 2)
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.set_password(password)
        user.save()
        print(username, user.pk)


if __name__ == "__main__":
    main(sys.argv[1:])
