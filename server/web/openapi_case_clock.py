"""OpenAPI rows of the case clock routes (api_case_clock.py): the cases desk's list, extensions (延长)
and suspensions (中止计时) of a case's time limit (articles 14 and 16)."""

from __future__ import annotations

from . import bodies_clock
from .openapi_route import STAFF, STAFF_OR_PLATFORM, Route
from .openapi_schemas import BOOL, DATE, INT, INT_OR_NULL, STR, STR_OR_NULL, TIME_OR_NULL, obj, ref

DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
CLOCK_EVENT = obj({
    "id": INT, "kind": {"enum": ["extension", "suspension"]},
    "state": {"enum": ["requested", "approved", "rejected", "running", "ended"]},
    "days": {**INT_OR_NULL, "description": "working days asked (extension) or suspended (once ended)"},
    "suspension_kind": {"enum": ["expert_review", "hearing", "public_notice", "testing", "other", None]},
    "suspension_label": {"type": ["array", "null"], "items": STR, "description": "[Chinese, English]"},
    "reason": STR, "legal_basis": STR, "old_promised": DATE_OR_NULL, "new_promised": DATE_OR_NULL,
    "requested_by": STR, "requested_at": TIME_OR_NULL, "decided_by": STR_OR_NULL, "decided_at": TIME_OR_NULL,
    "decision_note": STR,
}, description="an extension or a suspension of the case's time limit")
CLOCK_OK = obj({
    "case": ref("Case"), "clock": {"type": "array", "items": CLOCK_EVENT},
    "document": {"anyOf": [ref("Document"), {"type": "null"}], "description": "the applicant's notice "
                 "(延长审批期限告知书, 特别程序告知书) registered for this change; null when none is due"},
    "print": {"anyOf": [ref("Printed"), {"type": "null"}], "description": "where that notice printed"},
})
DESK_CASE = {"allOf": [ref("CaseSummary"), obj({
    "clock": {"type": "array", "items": CLOCK_EVENT},
    "may_approve": {**BOOL, "description": "the caller may approve or reject this case's extension"},
    "pending_extension": {**INT_OR_NULL, "description": "the id of the extension awaiting approval"},
})]}
C = "/api/v1/cases/<number>"

NOTICE = obj({
    "number": STR, "item": STR, "item_name": STR, "item_name_en": STR, "noticed_on": DATE,
    "missing": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR})},
    "reason": {**STR, "description": "the notice's own note (说明), as the progress page shows it"},
}, description="a notice (一次性告知) as the window serving its returning visitor reads it: no applicant")

CASE_CLOCK_ROUTES: tuple[Route, ...] = (
    Route("get", f"{C}/notice", "a notice's number, date, item and missing materials (no applicant): for "
          "those who may read the case and for the member of staff now serving a ticket that follows it "
          "(a proxy window's generalist); 409 not_a_notice", ok=obj({"notice": NOTICE}), errors=(403, 409),
          auth=STAFF),
    Route("get", "/api/v1/cases/open", "the cases desk: cases whose promise is still to keep (received, accepted, "
          "in review, decided and not yet delivered): a chief's or window clerk's department's, a manager's all; "
          "least time left first", auth=STAFF, errors=(403,),
          ok=obj({"today": DATE, "cases": {"type": "array", "items": DESK_CASE},
                  "suspension_kinds": {"type": "array", "items": obj({"code": STR, "name": STR, "name_en": STR})},
                  "rules": obj({"max_extensions": INT, "max_extension_days": INT})})),
    Route("post", f"{C}/extensions", "request an extension (延长) of the time limit, with reason and legal basis; "
          "the chief representative of the case's department approves it. 409 clock_not_running (delivered, a "
          "notice), receipt_unanswered (a receipt awaiting its completeness answer), clock_suspended; 400 "
          "extension_refused (days beyond the config, too many extensions, a decided case: art. 42 extends the "
          "time to decide, not the delivery)",
          ok=CLOCK_OK, status=201, errors=(403, 409), auth=STAFF_OR_PLATFORM, body=bodies_clock.ExtensionRequest),
    Route("post", f"{C}/extensions/<extension_id>/approve", "approve an extension (the chief representative of "
          "the case's department, not a hall manager, not the requester: 403): the promised date moves by its "
          "working days on the hall calendar and the applicant's notice prints; 409 clock_suspended",
          ok=CLOCK_OK, errors=(403, 409), auth=STAFF,
          body=bodies_clock.ExtensionDecision, body_required=False),
    Route("post", f"{C}/extensions/<extension_id>/reject", "reject an extension, saying why (the chief "
          "representative of the case's department, not the requester); 409 clock_suspended", ok=CLOCK_OK,
          errors=(403, 409), auth=STAFF, body=bodies_clock.ExtensionDecision),
    Route("post", f"{C}/suspension", "stop the clock (中止计时: expert review, hearing, public notice, testing): "
          "no warnings while it lasts; 409 when already suspended or not running, receipt_unanswered for a receipt "
          "awaiting its completeness answer", ok=CLOCK_OK, status=201,
          errors=(403, 409), auth=STAFF_OR_PLATFORM, body=bodies_clock.SuspensionStart),
    Route("post", f"{C}/suspension/end", "the clock runs again: the promised date moves by the working days "
          "suspended (from its first day up to, not including, today); 409 not_suspended", ok=CLOCK_OK,
          errors=(403, 409), auth=STAFF_OR_PLATFORM),
)


