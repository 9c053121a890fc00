"""Background work claimed in the database, and putting it back on the queue
when its worker has crashed (ADR 0008).

A kind of work is a model with a status (pending, then a running status
while claimed), the claiming task's ``task_id``, the claim time
``started_at`` and ``attempts``. A task claims a row with one conditional
UPDATE; the claim holds for the lease (BACKGROUND_CLAIM_LEASE_SECONDS), by
when Celery has killed whatever held it. Work is lost when it is pending with
no message in the broker, or running past its lease with none: the sweep
(``work_sweep``, run by beat) puts it back to pending under a new task id and
enqueues it. Work claimed MAX_ATTEMPTS times is not tried again (it may be
what kills its worker): it fails with a message saying so.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

MAX_ATTEMPTS = 5
# New work's message is sent once its transaction commits: until then it is
# pending with no message, and not lost.
ENQUEUE_GRACE = timedelta(seconds=10)
GAVE_UP_MESSAGE = (
    "It was interrupted {attempts} times before it could finish, so it has not been tried again."
)


class LostClaim(Exception):
    """Another execution holds the work now."""


def claim_lease() -> timedelta:
    """How long a claim holds: no execution outlives the hard time limit."""
    return timedelta(seconds=settings.BACKGROUND_CLAIM_LEASE_SECONDS)


def new_task_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ClaimedWork:
    """One kind of claimed work, and how to enqueue and fail one of its rows."""

    model: type[models.Model]
    pending: str
    running: str
    enqueue: Callable[[int, str], None]  # (pk, task_id)
    fail: Callable[[models.QuerySet, str], None]  # (rows, message)

    def __post_init__(self):
        CLAIMED_WORK.append(self)

    def claim(self, pk: int, task_id: str, **values) -> bool:
        """Take the row if it is pending, or running past its lease."""
        now = timezone.now()
        lapsed = Q(status=self.running, started_at__lt=now - claim_lease())
        return bool(
            self.model.objects.filter(Q(pk=pk) & (Q(status=self.pending) | lapsed)).update(
                status=self.running,
                task_id=task_id,
                started_at=now,
                attempts=models.F("attempts") + 1,
                updated_at=now,
                **values,
            )
        )

    def held(self, pk: int, task_id: str) -> models.QuerySet:
        """The row, while this task still holds it: fence writes on it."""
        return self.model.objects.filter(pk=pk, status=self.running, task_id=task_id)

    def own_claim_lapses_in(self, pk: int, task_id: str) -> float | None:
        """Seconds until this task's own claim lapses, if it holds one: its
        message came back while the claim is fresh (acks_late with
        reject_on_worker_lost redelivers when the pool process dies), so it
        should come back then rather than be acknowledged and lost."""
        started_at = self.held(pk, task_id).values_list("started_at", flat=True).first()
        if started_at is None:
            return None
        lapses_at = started_at + claim_lease()
        return max(1.0, (lapses_at - timezone.now()).total_seconds())

    def lost(self, rows: models.QuerySet, *, live: set[str]) -> list:
        """Rows among ``rows`` whose work no message will do: pending for
        longer than the grace, or running past the lease; either with no
        live message."""
        now = timezone.now()
        stuck = rows.filter(
            Q(status=self.pending, updated_at__lt=now - ENQUEUE_GRACE)
            | Q(status=self.running, started_at__lt=now - claim_lease())
        )
        fields = ("pk", "task_id", "started_at", "attempts")
        return [row for row in stuck.only(*fields) if row.task_id not in live]

    def requeue(self, row) -> bool:
        """Back to pending under a new task id, enqueued once this
        transaction commits. Only if it is as ``lost`` found it: no task has
        claimed it meanwhile."""
        task_id = new_task_id()
        moved = self.model.objects.filter(
            Q(status=self.pending) | Q(status=self.running),
            pk=row.pk,
            task_id=row.task_id,
            started_at=row.started_at,
        )
        if row.attempts >= MAX_ATTEMPTS:
            self.fail(moved, GAVE_UP_MESSAGE.format(attempts=row.attempts))
            return False
        if not moved.update(
            status=self.pending, task_id=task_id, started_at=None, updated_at=timezone.now()
        ):
            return False
        transaction.on_commit(partial(self.enqueue, row.pk, task_id))
        return True


CLAIMED_WORK: list[ClaimedWork] = []


def live_task_ids() -> set[str]:
    from config.celery import live_task_ids

    return live_task_ids()


def work_sweep() -> dict[str, int]:
    """Re-enqueue every kind of lost work; returns how many of each."""
    live = live_task_ids()
    requeued = {}
    for kind in CLAIMED_WORK:
        lost = kind.lost(kind.model.objects.all(), live=live)
        requeued[kind.model._meta.label] = sum(kind.requeue(row) for row in lost)
    return requeued


def work_requeue_if_lost(kind: ClaimedWork, row) -> bool:
    """Someone asked again for this work: if no message will do it,
    enqueue it now rather than at the next sweep."""
    rows = kind.model.objects.filter(pk=row.pk)
    return any(kind.requeue(lost) for lost in kind.lost(rows, live=live_task_ids()))
