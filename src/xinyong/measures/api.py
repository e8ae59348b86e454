"""联合奖惩 over the API: a department's business system checks subjects, applies the measures
returned and reports back. A client sees and answers only its own department's checks; any
other check answers 404, as if it did not exist."""

from datetime import date, datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from xinyong.access.auth import ApiClientAuth

from .models import Check, CheckMeasure
from .services import (
    MAX_SUBJECTS,
    CheckError,
    FeedbackIn,
    give_feedback,
    overdue,
    run_check,
)
from .services import Query as SubjectQuery

router = Router(tags=["checks"])


class SubjectIn(Schema):
    code: str = Field("", max_length=40, description="USCC, organisation code, registration "
                                                     "number or resident ID")
    name: str = Field("", max_length=200, description="without a code: returns candidates "
                                                      "only; with a code: cross-checked")


class CheckIn(Schema):
    subjects: list[SubjectIn] = Field(..., min_length=1, max_length=MAX_SUBJECTS)
    matter: str = Field(..., max_length=60, description="business matter (办理事项) code, "
                                                        "e.g. procurement, licensing")
    purpose: str = Field(..., min_length=1, max_length=500,
                         description="why: the case, tender or application number")


class CheckSummary(Schema):
    id: int
    checked_at: datetime
    matter: str
    purpose: str
    channel: str
    subjects_count: int
    hit_count: int
    measures_count: int
    feedback_pending: int
    feedback_due: date | None
    overdue: bool


class CheckOut(CheckSummary):
    department: str
    results: list[dict]


class FeedbackItem(Schema):
    measure_id: int = Field(..., description="the `id` of a measure in the check's results")
    status: Literal["applied", "not_applied", "not_applicable"]
    handler: str = Field(..., min_length=1, max_length=100)
    acted_on: date
    reason: str = Field("", max_length=2000, description="required when not_applied")
    outcome: str = Field("", max_length=2000)


class FeedbackBody(Schema):
    feedback: list[FeedbackItem] = Field(..., min_length=1, max_length=MAX_SUBJECTS * 10)


class MeasureFeedback(Schema):
    id: int
    subject: str
    measure: str
    measure_name: str
    triggered_by: list[str]
    status: str
    handler: str
    acted_on: date | None
    reason: str
    outcome: str
    reported_at: datetime | None


class CheckPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CheckSummary]


def _summary(check: Check, today: date) -> dict:
    return {**{f: getattr(check, f) for f in CheckSummary.model_fields if f != "overdue"},
            "overdue": bool(check.feedback_pending and check.feedback_due
                            and check.feedback_due < today)}


def _out(check: Check) -> dict:
    return {**_summary(check, timezone.localdate()), "department": check.department.code,
            "results": check.results}


def _own(request, check_id: int) -> Check:
    return get_object_or_404(Check.objects.select_related("department"), pk=check_id,
                             department=request.api_client.department)


@router.post("", response={201: CheckOut}, auth=ApiClientAuth(scopes=["checks:write"]),
             summary="Check subjects for list entries and the measures that apply")
def create_check(request, body: CheckIn):
    client = request.api_client
    try:
        check = run_check(department=client.department, matter=body.matter,
                          purpose=body.purpose, client=client,
                          queries=[SubjectQuery(code=s.code.strip(), name=s.name.strip())
                                   for s in body.subjects])
    except CheckError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, _out(check))


@router.get("", response=CheckPage, auth=ApiClientAuth(scopes=["checks:read"]),
            summary="The department's checks, newest first")
def list_checks(request, only_overdue: bool = Query(False, alias="overdue"),
                offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)):
    checks = Check.objects.filter(department=request.api_client.department)
    if only_overdue:
        checks = overdue(checks)
    today = timezone.localdate()
    page = checks.order_by("-checked_at", "-id").defer("results")[offset:offset + limit]
    return {"total": checks.count(), "offset": offset, "limit": limit,
            "items": [_summary(c, today) for c in page]}


@router.get("/{int:check_id}", response=CheckOut, auth=ApiClientAuth(scopes=["checks:read"]),
            summary="One of the department's checks, with its results")
def get_check(request, check_id: int):
    return _out(_own(request, check_id))


def _feedback_rows(check: Check) -> list[dict]:
    rows = check.measures.select_related("subject", "measure").order_by("id")
    return [_feedback_row(m) for m in rows]


def _feedback_row(m: CheckMeasure) -> dict:
    return {"id": m.pk, "subject": m.subject.code, "measure": m.measure.code,
            "measure_name": m.measure.name, "triggered_by": m.triggers, "status": m.status,
            "handler": m.handler, "acted_on": m.acted_on, "reason": m.reason,
            "outcome": m.outcome, "reported_at": m.reported_at}


@router.get("/{int:check_id}/feedback", response=list[MeasureFeedback],
            auth=ApiClientAuth(scopes=["checks:read"]),
            summary="The measures of a check and the feedback given on each")
def get_feedback(request, check_id: int):
    return _feedback_rows(_own(request, check_id))


@router.post("/{int:check_id}/feedback", response=list[MeasureFeedback],
             auth=ApiClientAuth(scopes=["feedback:write"]),
             summary="Report, per measure, whether it was applied")
def post_feedback(request, check_id: int, body: FeedbackBody):
    check = _own(request, check_id)
    client = request.api_client
    try:
        give_feedback(check, [FeedbackIn(**item.dict()) for item in body.feedback],
                      reported_by=f"api_client:{client.pk}")
    except CheckError as exc:
        raise HttpError(422, str(exc)) from None
    return _feedback_rows(check)
