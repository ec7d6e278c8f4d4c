"""`/opplysninger`: the office's own cases and supervisions — see them, and add or correct one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.http.deps import services
from api.office.records import OfficeRecord, UnknownReplaced, add_records, current_records
from api.office.sheet import DEFICIENCIES, TYPES, record_from_fields
from api.web.render import guard, posted, render, sessions

router = APIRouter(include_in_schema=False)

_KIND_NAMES = {("case", "complaint"): "klagesak", ("case", "other"): "sak"}
_DEFICIENCY_NAMES = {v: k for k, v in DEFICIENCIES.items()}


def _shown(row: OfficeRecord) -> dict[str, Any]:
    kind = _KIND_NAMES.get((row.kind, row.case_kind or ""), "tilsyn")
    return {
        "id": row.id,
        "type": kind,
        "key": row.key,
        "year": row.year,
        "complex": row.complex,
        "months_open": row.months_open,
        "deficiencies": ", ".join(_DEFICIENCY_NAMES[d] for d in row.deficiencies or []),
        "replaces": row.replaces,
        "note": row.note or "",
        "source": row.source,
        "recorded_by": row.recorded_by or "",
        "recorded_at": row.recorded_at.date().isoformat(),
    }


async def _page(
    request: Request, visitor: Any, nr: str, errors: list[str], values: dict[str, str], status: int
) -> Response:
    engine = services(request).log.engine
    rows = await run_in_threadpool(current_records, engine, [nr] if nr else None)
    return render(
        request,
        visitor,
        "opplysninger.html",
        {
            "page_title": "Egne opplysninger",
            "nav": "opplysninger",
            "records": [_shown(r) for r in rows],
            "nr": nr,
            "errors": errors,
            "values": values,
            "types": list(TYPES),
            "deficiency_options": list(DEFICIENCIES),
            "may_add": visitor.may("caseworker"),
        },
        status=status,
    )


@router.get("/opplysninger")
async def records_page(request: Request, nr: str | None = None) -> Response:
    """The records in force (of one unit or municipality with `nr`), and the form."""
    visitor = sessions(request).read(request)
    refused = guard(request, visitor, "reader")
    if refused is not None:
        return refused
    return await _page(request, visitor, (nr or "").strip()[:9], [], {}, 200)


@router.post("/opplysninger")
async def add_record(request: Request) -> Response:
    """Add one case or supervision (or a correction of an earlier row) from the form."""
    visitor, form, refused = await posted(request)
    refused = refused or guard(request, visitor, "caseworker")
    if refused is not None:
        return refused
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    number = values.get("nummer", "").strip()
    fields = dict(values)
    fields["org" if len(number) == 9 else "municipality"] = number
    fields["deficiencies"] = ",".join(v for v in form.getlist("avvik") if isinstance(v, str))
    record, problems = record_from_fields(fields)
    errors = [d.message for d in problems]
    if record is not None and not errors:
        try:
            await run_in_threadpool(
                lambda: add_records(
                    services(request).log.engine,
                    [record],
                    source="nettside",
                    recorded_by=visitor.name or "nettside",
                )
            )
        except UnknownReplaced as exc:
            errors.append(f"«Erstatter»: det finnes ingen rad med id {exc.ids[0]}.")
    if errors:
        return await _page(request, visitor, "", errors, values, 422)
    return RedirectResponse(f"/opplysninger?nr={record.key if record else ''}", 303)
