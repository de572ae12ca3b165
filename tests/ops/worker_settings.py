"""Settings of the Celery worker SUBPROCESSES started by the fault tests (tests/ops/processes.py).

The test settings, plus: the test process's MEDIA_ROOT (so both see the same rollup files), and
Redis' unacknowledged-message sweep on every poll (with CELERY_VISIBILITY_TIMEOUT lowered by the
test, a job of a killed worker is handed to the next worker as soon as it starts).
"""

import os

from yinzhou_campaign.settings_test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["YZ_TEST_MEDIA_ROOT"])  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
