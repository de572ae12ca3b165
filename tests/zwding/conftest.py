from tests.zwding_support import zwding, zwding_server  # noqa: F401
