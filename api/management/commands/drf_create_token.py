"""`manage.py drf_create_token <username> [-r]`: DRF's command, same arguments and output, for
the hashed tokens of api.models (see there for why)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.services import ApiTokenExists, api_token_create


class Command(BaseCommand):
    help = (
        "Create the API token of an account and print it (shown only this once: the database keeps "
        "its digest). -r replaces an existing token, which stops working at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", type=str)
        parser.add_argument(
            "-r", "--reset", action="store_true", dest="reset_token", default=False,
            help="Replace the account's existing token with a new one",
        )

    def handle(self, *args, username: str, reset_token: bool, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"Cannot create the Token: user {username} does not exist") from None
        try:
            key = api_token_create(user=user, replace=reset_token)
        except ApiTokenExists as exists:
            created = timezone.localtime(exists.token.created)
            raise CommandError(
                f"账号 {username} 已有接口令牌(创建于 {created:%Y-%m-%d %H:%M})。令牌只在生成时显示一次,"
                "系统只保存它的摘要,无法再次显示。要换一个新令牌请加 -r(旧令牌立即失效)。"
            ) from None
        self.stdout.write(f"Generated token {key} for user {username}")
