"""Settings come from the environment: each case runs in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

PROBE = """
import json, django
from django.conf import settings
django.setup()
from config.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": app.conf.task_always_eager,
    "in_process": settings.BACKGROUND_IN_PROCESS,
    "sqlite_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "broker": app.conf.broker_url,
    "time_limit": app.conf.task_time_limit,
    "lease": settings.BACKGROUND_CLAIM_LEASE_SECONDS,
    "visibility_timeout": app.conf.broker_transport_options.get("visibility_timeout"),
    "sweep": settings.CELERY_BEAT_SCHEDULE["sweep-lost-work"]["schedule"],
    "recovery": settings.BACKGROUND_RECOVERY_SECONDS,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _probe(**env):
    result = _run(["-c", PROBE], DJANGO_SETTINGS_MODULE="config.settings.local", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_means_sqlite_and_in_process_tasks():
    probe = _probe()
    assert probe["engine"] == "django.db.backends.sqlite3"
    # In a background thread of the web process, not inside the request.
    assert (probe["eager"], probe["in_process"]) == (False, True)
    assert probe["sqlite_options"] == {"transaction_mode": "IMMEDIATE", "timeout": 30}
    assert probe["broker"] == "memory://"
    assert probe["cache"].endswith("LocMemCache")


def test_database_and_redis_urls_select_postgresql_and_redis():
    probe = _probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert probe["engine"] == "django.db.backends.postgresql"
    assert (probe["eager"], probe["in_process"]) == (False, False)
    assert probe["broker"] == "redis://127.0.0.1:6379/0"
    assert probe["cache"].endswith("RedisCache")


def test_a_crashed_workers_work_is_recovered_within_minutes_not_redis_hour():
    probe = _probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    # No task outlives its limit, so its claim lapses after it; Redis hands
    # out no message while a task may still run or wait out its claim.
    assert probe["time_limit"] < probe["lease"] < probe["visibility_timeout"]
    assert probe["sweep"] <= 60
    assert probe["visibility_timeout"] + probe["sweep"] <= probe["recovery"] <= 10 * 60


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x7#kq2!v9Lm@pR4$wZ8^nB1&cT6*hY3(jU0)eI5-oA2+sD9=fG4",
    "DJANGO_ALLOWED_HOSTS": "oatracker.example.gov.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PUPIL_HASH_KEY": "k3y-for-the-upn-hmac-held-outside-the-database",
}


def test_check_deploy_with_production_settings_has_no_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "PUPIL_HASH_KEY"],
)
def test_production_secrets_have_no_defaults(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert missing in result.stderr
