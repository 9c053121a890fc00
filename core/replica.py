"""Heavy read-only aggregates from a read replica (ADR 0016).

With DATABASE_REPLICA_URL set, the reads inside ``replica_reads()`` (the
dashboard's cross-area figures, area coverage, report snapshots) go to a
PostgreSQL streaming replica; everything else, and every write, goes to the
primary. A replica lags the primary a little, so a block reads from it only
when it has replayed everything its reader must see:

- in a request, the signed-in user's own last write: after each request
  that may have written (any method but GET, HEAD and OPTIONS), the primary's
  WAL position is remembered for that user for REPLICA_PIN_SECONDS;
- outside a request (a worker making a report), everything the primary has
  committed when the block starts.

Otherwise, inside a transaction, or when the replica cannot be reached, the
block reads from the primary. Writes never go to the replica.
"""

import contextvars
import functools
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

_reads_go_to = contextvars.ContextVar("replica_reads_go_to", default=None)
_request = contextvars.ContextVar("replica_request", default=None)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _pin_key(user_id) -> str:
    return f"replica-pin:{user_id}"


def _primary_position() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _position_to_wait_for():
    """The WAL position the replica must have replayed, or None if any will do."""
    request = _request.get()
    if request is None:
        return _primary_position()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return cache.get(_pin_key(user.pk))


def _replica_has_replayed(alias, position) -> bool:
    if position is None:
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute("select coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [position])
        return cursor.fetchone()[0]


def reading_from() -> str:
    """The database alias reads go to here and now."""
    return _reads_go_to.get() or DEFAULT_DB_ALIAS


@contextmanager
def replica_reads():
    alias = settings.READ_REPLICA
    use = None
    if alias and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        try:
            if _replica_has_replayed(alias, _position_to_wait_for()):
                use = alias
        except DatabaseError as error:
            logger.warning("Reading from the primary: the replica is not answering (%s)", error)
            connections[alias].close()
    token = _reads_go_to.set(use)
    try:
        yield
    finally:
        _reads_go_to.reset(token)


def reads_from_replica(function):
    """Run ``function``'s reads inside ``replica_reads()``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


class ReadReplicaRouter:
    """Reads inside ``replica_reads()`` to the replica; everything else, and
    every write and migration, to the primary."""

    def db_for_read(self, model, **hints):
        return reading_from()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Remembers the request for ``replica_reads()``, and after a request
    that may have written, the primary's position for its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        user = getattr(request, "user", None)
        if (
            settings.READ_REPLICA
            and request.method not in SAFE_METHODS
            and user is not None
            and user.is_authenticated
        ):
            cache.set(_pin_key(user.pk), _primary_position(), settings.REPLICA_PIN_SECONDS)
        return response
