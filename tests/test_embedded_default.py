"""`make run` on a machine with nothing installed: SQLite and tasks run
in-process. The rest of the suite runs on PostgreSQL, so this is the one
place where the portable paths (raw SQL, the line-by-line attendance import)
meet SQLite."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, database: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_demo_loads_on_sqlite_with_tasks_in_process(tmp_path):
    database = tmp_path / "db.sqlite3"
    migrated = manage("migrate", "--verbosity", "0", database=database)
    assert migrated.returncode == 0, migrated.stderr[-3000:]

    seeded = manage("seed_demo", database=database)

    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "Password for every demo account" in seeded.stdout
    with sqlite3.connect(database) as db:
        attendance = db.execute("SELECT count(*) FROM encounters_attendance").fetchone()[0]
        coverage = db.execute(
            "SELECT count(*), sum(with_four) FROM dashboard_schoolcoveragesummary"
        ).fetchone()
        areas = db.execute("SELECT count(*) FROM dashboard_areasummary").fetchone()[0]
    assert attendance > 0
    assert coverage[0] > 0
    assert coverage[1] > 0
    assert areas == 12
