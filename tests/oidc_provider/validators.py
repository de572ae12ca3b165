from oauth2_provider.oauth2_validators import OAuth2Validator


class NamedValidator(OAuth2Validator):
    """The person's name (`name`, `preferred_username`) in the ID token and userinfo, as a real
    identity platform gives it."""

    def get_additional_claims(self, request):
        user = request.user
        return {"name": user.get_full_name() or user.username, "preferred_username": user.username}
