"""`/v1/survey-imports` (upload Udir's export, admin) and `/v1/schools/{org_number}/survey`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.http.auth import require
from api.http.deps import caller_name, services
from api.http.offload import off_loop
from api.http.openapi import responses
from api.http.problems import Problem, invalid
from api.keys import Caller
from api.services import Services
from api.survey.parse import (
    BULLYING_INDICATOR,
    InvalidSurveyFile,
    file_checksum,
    parse_survey,
)
from api.survey.store import (
    ImportReport,
    find_import,
    get_import,
    import_survey,
    list_imports,
    stored_figures,
    survey_source,
)
from engine.application import valid_org_number

router = APIRouter(prefix="/v1", tags=["elevundersøkelsen"])
UPLOAD_PATH = "/v1/survey-imports"
# Udir's national export is about 8 MB as CSV and 5 MB as .xlsx; the request limit for
# everything else (UTVALG_MAX_BODY_BYTES) is far smaller.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NationalFigure(_Model):
    """A country-level figure found in the file (EnhetNivaa 1)."""

    year: int = Field(description="Året undersøkelsen ble gjort (høsten), f.eks. 2019.")
    indicator: str = Field(description="Spoersmaalkode, f.eks. EUIndeks_1398.")
    percent: float | None
    respondents: int | None
    suppressed: bool


class SurveyImportReport(_Model):
    """What an import did (or that the file was imported before)."""

    import_id: int
    file_name: str
    sha256: str
    imported_at: dt.datetime
    already_imported: bool = Field(
        description="Filen (samme sjekksum) var importert før; ingenting ble endret."
    )
    rows_read: int = Field(description="Datarader lest.")
    imported: int = Field(description="Skoletall (nivå 3) for indikatoren som ble importert.")
    suppressed: int = Field(description="Av de importerte: skjermet (*).")
    skipped: int = Field(description="Rader for andre indikatorer, hoppet over.")
    county_rows: int = Field(description="Fylkesrader (nivå 2), ikke lagret.")
    inserted: int = Field(description="Nye tall.")
    updated: int = Field(description="Tall som ble endret.")
    unchanged: int = Field(description="Tall som allerede var lagret med samme verdi.")
    national: list[NationalFigure] = Field(description="Landstall (nivå 1) i filen.")
    warnings: list[str] = Field(
        description="Advarsler, f.eks. når landstallene avviker fra regelsettets landssnitt."
    )


class SurveyImportList(_Model):
    """The most recent imports, newest first."""

    imports: list[SurveyImportReport]


class FigureSource(_Model):
    """The import a stored figure came from."""

    import_id: int
    file_name: str
    imported_at: dt.datetime
    label: str = Field(description="Kilden slik K1 oppgir den.")


class StoredSurveyFigure(_Model):
    """One stored figure of a school."""

    year: int
    indicator: str
    indicator_name: str
    percent: float | None
    respondents: int | None
    suppressed: bool
    source: FigureSource


class SchoolSurvey(_Model):
    """The imported Elevundersøkelsen figures of one school."""

    org_number: str
    name: str
    source: str | None = Field(
        description="Kilden K1 oppgir for «Mobbing på skolen» (null uten slike tall)."
    )
    figures: list[StoredSurveyFigure]


def _model(report: ImportReport) -> SurveyImportReport:
    return SurveyImportReport.model_validate(report.as_dict())


@router.post(
    "/survey-imports",
    status_code=201,
    summary="Importer skoletall fra Elevundersøkelsen (Udirs uttrekk, CSV eller .xlsx)",
    response_model=SurveyImportReport,
    responses=responses(
        201,
        200,
        422,
        401,
        403,
        413,
        ok_description="Importert (201), eller allerede importert (200, ingenting endret).",
    ),
)
async def create_survey_import(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("admin"))],
    file: Annotated[
        UploadFile,
        File(description="Udirs uttrekk: semikolonseparert CSV (UTF-8) eller .xlsx."),
    ],
) -> SurveyImportReport:
    """Import a file whole, or refuse it whole (422 with every problem and its line)."""
    # parsing a file is the heaviest input work: a bounded thread (api.http.offload)
    report = await off_loop(request, _import_upload, services(request), file, caller_name(request))
    if report.already_imported:
        response.status_code = 200
    response.headers["Location"] = f"{UPLOAD_PATH}/{report.import_id}"
    return _model(report)


def _import_upload(svc: Services, upload: UploadFile, who: str | None) -> ImportReport:
    name = _file_name(upload.filename)
    stream = upload.file
    engine = svc.log.engine
    earlier = find_import(engine, file_checksum(stream))
    if earlier is not None:
        return earlier
    try:
        parsed = parse_survey(stream, name)
    except InvalidSurveyFile as exc:
        raise invalid(exc.diagnostics, prefix=["body", "file"]) from None
    rulesets = svc.rules.current.rulesets.values()
    return import_survey(
        engine,
        parsed,
        national_averages={rs.id: rs.survey.national_average for rs in rulesets},
        imported_by=who,
    )


def _file_name(given: str | None) -> str:
    # a browser may send the whole client path (C:\Users\…\fil.csv); keep the name
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-200:] or "opplastet-fil"


@router.get(
    "/survey-imports",
    summary="De siste importene fra Elevundersøkelsen",
    response_model=SurveyImportList,
    responses=responses(200, 401),
)
def list_survey_imports(
    request: Request,
    caller: Annotated[Caller, Depends(require("reader"))],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SurveyImportList:
    """The most recent imports with their counts and warnings, newest first."""
    reports = list_imports(services(request).log.engine, limit)
    return SurveyImportList(imports=[_model(r) for r in reports])


_MAX_ID = 2**63 - 1


@router.get(
    "/survey-imports/{import_id}",
    summary="Én import fra Elevundersøkelsen",
    response_model=SurveyImportReport,
    responses=responses(200, 404, 401),
)
def get_survey_import(
    request: Request, import_id: int, caller: Annotated[Caller, Depends(require("reader"))]
) -> SurveyImportReport:
    """One import: file, checksum, time, counts, national figures and warnings."""
    # ids are 64-bit database keys: a larger number cannot name an import (and would
    # overflow the database driver)
    in_range = 1 <= import_id <= _MAX_ID
    report = get_import(services(request).log.engine, import_id) if in_range else None
    if report is None:
        raise Problem(
            404,
            "SURVEY_IMPORT_NOT_FOUND",
            f"Fant ingen import med id {import_id}.",
            loc=["path", "import_id"],
        )
    return _model(report)


@router.get(
    "/schools/{org_number}/survey",
    summary="De importerte tallene fra Elevundersøkelsen for én skole",
    response_model=SchoolSurvey,
    responses=responses(200, 404, 422, 401),
)
def school_survey(
    request: Request, org_number: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> SchoolSurvey:
    """Every stored figure of the school (all indicators), with the import each came from."""
    if not valid_org_number(org_number):
        raise Problem(
            422,
            "BAD_ORG_NUMBER",
            f"«{org_number}» er ikke et gyldig organisasjonsnummer (ni sifre med riktig "
            "kontrollsiffer).",
            loc=["path", "org_number"],
        )
    figures = stored_figures(services(request).log.engine, [org_number], indicator=None)
    found = figures.get(org_number, [])
    if not found:
        raise Problem(
            404,
            "SURVEY_NOT_FOUND",
            f"Det er ikke importert tall fra Elevundersøkelsen for {org_number}.",
            loc=["path", "org_number"],
        )
    bullying = [f for f in found if f.indicator == BULLYING_INDICATOR]
    newest = max(found, key=lambda f: (f.year, f.imported_at))
    body: dict[str, Any] = {
        "org_number": org_number,
        "name": newest.name,
        "source": survey_source(bullying).label if bullying else None,
        "figures": [f.as_dict() for f in found],
    }
    return SchoolSurvey.model_validate(body)
