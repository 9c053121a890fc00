"""The record of who read pupil-level data (ADR 0013).

Every pupil-level page, export and API endpoint inherits one of these
mixins, so every request a signed-in user makes to it writes one row of
``PupilDataAccess`` (one INSERT) through ``services.pupil_data_access_record``:
who, when, which school, which view, object and filters, the response's
status and how many pupils it named. A refused request (403, 404) is
recorded too, with no school and no pupils, so probing another school's
addresses shows in the log without claiming anything was seen.
tests/encounters/test_access_log.py walks every URL and endpoint and fails
for a pupil-level one that does not record.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from areas.models import School

from . import services
from .models import AccessChannel

MAX_QUERY_PARAMETERS = 20
MAX_QUERY_VALUE_LENGTH = 100


class PupilDataAccessMixin:
    """For views whose responses hold pupil-level data. Put it before the
    scoped base view, so it sees the refusals that base raises.

    A view sets ``pupils_returned`` to the number of pupils its response
    names; it stays None for responses of counts or forms. Downloads set
    ``access_channel`` to EXPORT, so a refused download is one too.
    """

    access_channel = AccessChannel.PAGE
    pupils_returned: int | None = None

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except Http404:
            self.access_record(status_code=404)
            raise
        except PermissionDenied:
            self.access_record(status_code=403)
            raise
        self.access_record(status_code=response.status_code)
        return response

    def access_school_id(self) -> int | None:
        """The school the page is about, if the page got as far as finding it
        (SchoolPageMixin caches it on the view)."""
        school = self.__dict__.get("school")
        return school.pk if school is not None else None

    def access_object_id(self) -> str:
        return str(self.kwargs.get("pk", ""))

    def access_record(self, *, status_code: int) -> None:
        user = self.request.user
        if not user.is_authenticated:
            return
        failed = status_code >= 400  # refused or invalid: no data went back
        services.pupil_data_access_record(
            user=user,
            school_id=None if failed else self.access_school_id(),
            channel=self.access_channel,
            view_name=self.request.resolver_match.view_name,
            method=self.request.method,
            path=_storable(self.request.path),
            object_id=self.access_object_id(),
            query=_query(self.request.GET),
            status_code=status_code,
            pupil_count=0 if failed else self.pupils_returned,
        )


class PupilDataAccessAPIMixin(PupilDataAccessMixin):
    """For API viewsets. DRF turns refusals into responses, so only the
    status is read. The rows a read returns are the object of a detail or
    the page of a list; ``pupils_in(rows)`` says how many pupils they name.
    A write that returns what it wrote calls ``access_returned`` itself."""

    access_channel = AccessChannel.API
    access_rows = ()

    def get_object(self):
        instance = super().get_object()
        self.access_returned([instance])
        return instance

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.access_returned(page)
        return page

    def pupils_in(self, rows) -> int | None:
        return None

    def access_returned(self, rows, *, pupils: int | None = None) -> None:
        self.access_rows = rows
        self.pupils_returned = self.pupils_in(rows) if pupils is None else pupils

    def access_school_id(self) -> int | None:
        schools = {row.pk if isinstance(row, School) else row.school_id for row in self.access_rows}
        return schools.pop() if len(schools) == 1 else None

    def access_object_id(self) -> str:
        return str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))


def _query(parameters) -> dict:
    """The query string as the user sent it (ids, years, filters), cut short:
    no pupil-level view takes a name or identifier as a parameter."""
    return {
        _storable(name[:MAX_QUERY_VALUE_LENGTH]): _storable(value[:MAX_QUERY_VALUE_LENGTH])
        for name, value in list(parameters.items())[:MAX_QUERY_PARAMETERS]
    }


def _storable(text: str) -> str:
    """Text PostgreSQL can store: it refuses NUL in text and JSON, so a NUL
    typed in the address is kept visibly as an escape rather than failing
    the request. (Django has already replaced bytes that are not UTF-8.)"""
    return text.replace("\x00", "\\x00")
