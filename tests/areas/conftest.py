import pytest

from areas import gias
from areas.demo import GSS_LA_CODES


def _gias_school(
    urn,
    *,
    name=None,
    la_code=890,
    la_name="Blackpool",
    district="Blackpool",
    status="Open",
    **columns,
):
    """One establishment as GIAS writes it: a dict keyed by GIAS column name.
    Other columns go in **columns, e.g. **{gias.PERCENTAGE_FSM: "SUPP"}."""
    return {
        gias.URN: urn,
        gias.LA_CODE: la_code,
        gias.LA_NAME: la_name,
        gias.GSS_LA_CODE: GSS_LA_CODES.get(la_code, ""),
        gias.ESTABLISHMENT_NUMBER: 2000 + urn % 1000,
        gias.ESTABLISHMENT_NAME: f"School {urn}" if name is None else name,
        gias.ESTABLISHMENT_TYPE: "Academy converter",
        gias.ESTABLISHMENT_STATUS: status,
        gias.PHASE: "Primary",
        gias.STATUTORY_LOW_AGE: 4,
        gias.STATUTORY_HIGH_AGE: 11,
        gias.NUMBER_OF_PUPILS: 210,
        gias.PERCENTAGE_FSM: "23.5",
        gias.TRUST_NAME: "",
        gias.DISTRICT: district,
        gias.POSTCODE: "FY1 1AA",
        "EstablishmentTypeGroup (name)": "Academies",
        "OpenDate": "01-09-2012",
        "Town": "Blackpool",
        **columns,
    }


@pytest.fixture
def gias_school():
    """Build one GIAS row dict: gias_school(100001, district="Hastings", ...)."""
    return _gias_school


@pytest.fixture
def gias_file(tmp_path):
    """Write GIAS-shaped bytes (or rows, via gias_csv_bytes) to a file; return its path."""

    def write(rows_or_bytes, name="edubasealldata.csv", **options):
        data = (
            rows_or_bytes
            if isinstance(rows_or_bytes, bytes)
            else gias.gias_csv_bytes(rows_or_bytes, **options)
        )
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
