"""Fuzz every upload path: unhandled exceptions and partial writes, counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/files_bench \\
        .venv/bin/python bench/fuzz_imports.py [--inputs 1000000] [--services 3000] \\
        [--views 1000] [--workers 2] [--seed 12]

Every input is a good file of one import (GIAS, roster, attendance,
measurements, actions) broken at random by `tests.uploads.mutated`: line
endings, byte-order marks, encodings, NUL and control bytes, over-long
cells, stray quotes, ragged rows, truncation, binary data, odd values.

- `--inputs` go straight to each import's reading side (decode, records,
  columns, row checks; attendance through the line-by-line path with
  lookups read once), in `--workers` processes. Nothing is written.
- `--services` go through the import services against a throwaway
  database (roster preview and confirm, attendance upload, measurements
  and actions imports, the GIAS import), and `--views` through the upload
  pages with Django's test client, as a signed-in school member or area
  lead would post them.

An unhandled exception is any exception other than the import's own
refusal (CsvFileError, GiasFileError, the row errors), or a page answering
5xx. A partial write is a refused file after which the tables it writes to
differ from before. Both are printed by kind, with an example, and should
be 0.
"""

import argparse
import collections
import logging
import multiprocessing
import os
import random
import sys
import time
import traceback
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("PUPIL_HASH_KEY", "bench-only-pupil-hash-key")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from tests import uploads  # noqa: E402


class Tally:
    """Unhandled exceptions and partial writes by kind, with one example each."""

    def __init__(self):
        self.inputs = collections.Counter()
        self.refused = collections.Counter()
        self.unhandled = collections.Counter()
        self.partial = collections.Counter()
        self.examples = {}

    def crash(self, where: str, data: bytes, error: BaseException):
        frame = traceback.extract_tb(error.__traceback__)[-1]
        kind = (where, type(error).__name__, f"{frame.filename}:{frame.lineno}")
        self.unhandled[kind] += 1
        self.examples.setdefault(kind, (data[:200], "".join(traceback.format_exception(error))))

    def partial_write(self, where: str, data: bytes, tables: str):
        kind = (where, tables)
        self.partial[kind] += 1
        self.examples.setdefault(kind, (data[:200], f"tables changed: {tables}"))

    def merge(self, other: "Tally"):
        self.inputs.update(other.inputs)
        self.refused.update(other.refused)
        self.unhandled.update(other.unhandled)
        self.partial.update(other.partial)
        for kind, example in other.examples.items():
            self.examples.setdefault(kind, example)


# --- Straight to the readers ---------------------------------------------


def _read_slice(arguments) -> Tally:
    count, seed, context = arguments
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    good = _good_files(context["indicator_names"])
    tally = Tally()
    for _ in range(count):
        reader = rng.choice(uploads.READERS)
        data = uploads.mutated(rng, good[reader.name], encoding=reader.encoding)
        tally.inputs[f"reader: {reader.name}"] += 1
        try:
            reader.read(data, context=context)
        except reader.refusals:
            tally.refused[f"reader: {reader.name}"] += 1
        except Exception as error:  # noqa: BLE001 - counting what escapes is the point
            tally.crash(f"reader: {reader.name}", data, error)
    return tally


def run_readers(inputs: int, workers: int, seed: int, context: dict) -> Tally:
    chunks = 200
    per_chunk = [inputs // chunks + (1 if n < inputs % chunks else 0) for n in range(chunks)]
    tally = Tally()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for part in pool.imap_unordered(
            _read_slice, [(count, seed * 1000 + n, context) for n, count in enumerate(per_chunk)]
        ):
            tally.merge(part)
    return tally


def _good_files(indicator_names):
    return {
        reader.name: uploads.good_file_text(reader.name, indicator_names=indicator_names)
        for reader in uploads.READERS
    }


# --- Through the services and the pages, with a database ---------------------


def run_with_database(services: int, views: int, seed: int, setup) -> Tally:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    clients = {"staff": Client(), "lead": Client()}
    clients["staff"].force_login(setup["staff"])
    clients["lead"].force_login(setup["lead"])
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    good = _good_files(setup["indicator_names"])
    tally = Tally()
    names = [reader.name for reader in uploads.READERS]
    pages = [name for name in names if name != "gias"]  # GIAS is imported by a command
    for number in range(services + views):
        through_pages = number >= services
        name = rng.choice(pages if through_pages else names)
        reader = next(r for r in uploads.READERS if r.name == name)
        data = uploads.mutated(rng, good[name], encoding=reader.encoding)
        where = f"{'page' if through_pages else 'service'}: {name}"
        tally.inputs[where] += 1
        before = uploads.snapshot(uploads.written_tables(name))
        try:
            if through_pages:
                refused = uploads.through_pages(name, data, setup, clients)
            else:
                refused = uploads.through_service(name, data, setup)
        except Exception as error:  # noqa: BLE001 - counting what escapes is the point
            tally.crash(where, data, error)
            refused = True
        if refused:
            tally.refused[where] += 1
            after = uploads.snapshot(uploads.written_tables(name))
            if name == "attendance":
                # A refused upload is kept, marked failed, to show its errors.
                before.pop("AttendanceUpload")
                after.pop("AttendanceUpload")
            changed = uploads.changed_tables(before, after)
            if changed:
                tally.partial_write(where, data, changed)
    return tally


def report(tally: Tally, seconds: float):
    total = sum(tally.inputs.values())
    print(f"Inputs: {total:,} in {seconds:.0f}s")
    for where, count in sorted(tally.inputs.items()):
        print(f"  {where}: {count:,} ({tally.refused[where]:,} refused, the rest read or imported)")
    print(f"Unhandled exceptions: {sum(tally.unhandled.values()):,}")
    for kind, count in tally.unhandled.most_common():
        print(f"  {count:,} x {kind}")
    print(f"Partial writes: {sum(tally.partial.values()):,}")
    for kind, count in tally.partial.most_common():
        print(f"  {count:,} x {kind}")
    for kind, (data, detail) in tally.examples.items():
        print(f"\nExample of {kind}: {data!r}\n{detail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=3000)
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # every import logs a line; the counts are the output

    from encounters.attendance_files import AttendanceLookups

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    started = time.perf_counter()
    try:
        setup = uploads.importing_setup()
        context = {
            "attendance_lookups": AttendanceLookups(
                school=setup["school"], today=date(2018, 8, 31)
            ),
            "indicator_names": setup["indicator_names"],
        }
        connection.close()  # the forked readers use no database
        tally = run_readers(args.inputs, args.workers, args.seed, context)
        tally.merge(run_with_database(args.services, args.views, args.seed, setup))
        report(tally, time.perf_counter() - started)
    finally:
        connection.close()
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
