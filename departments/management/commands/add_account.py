import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from departments.models import Role
from departments.services import AccountError, account_create


class Command(BaseCommand):
    help = (
        "Create an account in a unit with a role. The password comes from the ACCOUNT_PASSWORD "
        "environment variable, else from a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help='unit name as in the task list, e.g. "区应急管理局"')
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="the person's name (姓名)")
        parser.add_argument("--phone", default="")

    def handle(self, *args, **options):
        password = os.environ.get("ACCOUNT_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError("set ACCOUNT_PASSWORD or run in a terminal to be prompted for the password")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
        try:
            user = account_create(
                username=options["username"],
                unit_name=options["unit"],
                role=options["role"],
                password=password,
                email=options["email"],
                full_name=options["name"],
                phone=options["phone"],
            )
        except AccountError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("password rejected: " + " ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()}, {user.unit.name}).")
        )
