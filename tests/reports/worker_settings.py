"""Settings for the Celery workers that tests/reports/test_worker.py starts.

The local settings (DATABASE_URL, REDIS_URL and MEDIA_ROOT come from the
environment the test gives the worker), plus:

- a short task time limit, so that the claim of a worker killed mid-task
  lapses within the test (the lease is the hard limit plus a margin);
- REPORT_TEST_PAUSE_SECONDS, the hook in reports.services that holds a task,
  claimed and part done, so the test can kill its worker. Nothing outside
  this module sets it.
"""

import os

from config.settings.local import *  # noqa: F403

REPORT_TASK_TIME_LIMIT = int(os.environ.get("REPORT_TASK_TIME_LIMIT", "60"))
REPORT_TASK_SOFT_TIME_LIMIT = REPORT_TASK_TIME_LIMIT - 5
REPORT_TEST_PAUSE_SECONDS = float(os.environ.get("REPORT_TEST_PAUSE_SECONDS", "0"))

# A worker killed outright leaves its message unacknowledged in Redis; another
# worker restores it once the visibility timeout has passed. The test keeps
# that short, so it uses unacknowledged-message keys of its own: a short
# timeout must never restore other workers' messages.
if "REPORT_TEST_VISIBILITY_TIMEOUT" in os.environ:
    _keys = os.environ["REPORT_TEST_UNACKED_PREFIX"]
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["REPORT_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "unacked_key": f"{_keys}-unacked",
        "unacked_index_key": f"{_keys}-unacked_index",
        "unacked_mutex_key": f"{_keys}-unacked_mutex",
    }
