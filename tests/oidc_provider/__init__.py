"""A real OpenID Connect provider for the tests: django-oauth-toolkit in a second Django process.

Not part of the application. `tests/sso/conftest.py` bootstraps it (`bootstrap.py`: its own
SQLite database, an RS256 key, the client application and a provider-side user) and runs it with
Django's development server on a port of its own, the way a provincial identity platform or an
intranet SSO would sit beside our system.
"""
