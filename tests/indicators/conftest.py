import pytest

from indicators.models import Indicator
from indicators.seeding import indicators_seed


@pytest.fixture
def indicators(campaign):
    """The plan's 37 numeric targets, seeded from fixtures/yinzhou-indicators.json."""
    indicators_seed()
    return {i.key: i for i in Indicator.objects.filter(campaign=campaign).select_related("task")}
