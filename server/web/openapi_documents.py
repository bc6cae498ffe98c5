"""OpenAPI rows of the document routes (api_documents.py): a case's papers, their preview and
reprint, and the public verification of a printed code. Part of `openapi.ROUTES`."""

from __future__ import annotations

from typing import Any

from .bodies_documents import DocumentReprint
from .openapi_route import STAFF, Route
from .openapi_schemas import DATE, INT, INT_OR_NULL, SCHEMAS, STR, STR_OR_NULL, error, obj, ref

KINDS = ["acceptance", "concluded", "notice", "refusal", "approval", "denial", "received", "extension",
         "suspension"]

SCHEMAS["Document"] = obj({
    "id": INT,
    "kind": {"enum": KINDS},
    "kind_label": {**STR, "example": "不予行政许可决定书"},
    "kind_label_en": STR,
    "number": {**STR, "description": "the document number (文号)", "example": "CITY-市监不许字〔2026〕3号"},
    "case": STR,
    "verify_code": {**STR, "description": "printed on the paper; 80 bits", "example": "7N3R-33NV-QN0X-E4MG"},
    "verify_url": {**STR, "format": "uri", "description": "the public check, the paper's second QR code"},
    "issued_on": DATE,
    "window": {**STR_OR_NULL, "description": "the window whose printer it was issued at"},
    "preview_url": {**STR_OR_NULL, "description": "the PNG preview; null for a caller who sees the applicant "
                                                  "masked (a manager): the paper carries the full name"},
})
SCHEMAS["Printed"] = obj({"job": INT_OR_NULL, "printer": STR_OR_NULL, "error": STR_OR_NULL},
                         {"kind": {"enum": KINDS}})
SCHEMAS["Verified"] = obj({
    "genuine": {"const": True},
    "kind": {"enum": KINDS}, "kind_label": STR, "kind_label_en": STR,
    "number": STR,
    "department": obj({"code": STR, "name": STR, "name_en": STR}),
    "issued_on": DATE,
    "case": STR,
    "applicant": {**STR, "description": "masked, e.g. 张*丰"},
    "verify_code": STR,
})

PNG: dict[str, Any] = {"description": "the document as it comes out of the printer",
                       "content": {"image/png": {"schema": {**STR, "format": "binary"}}}}
TOO_MANY = {429: error("too many checks from this client address; Retry-After says when to try again")}
NO_FONT = {503: error("preview_unavailable: no CJK font on the server to draw the preview with (install "
                       "fonts-noto-cjk), or the paper cannot be drawn (a public_url that is not absolute)")}

DOCUMENT_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/cases/<number>/documents", "the case's documents, oldest first (staff who may read "
          "the case)", ok=obj({"case": STR, "documents": {"type": "array", "items": ref("Document")}}),
          errors=(403,), auth=STAFF),
    Route("get", "/api/v1/documents/<doc_id>/preview.png", "the document as a PNG, drawn from the blocks "
          "the printer gets: only for who sees the applicant's identity (the case's window staff, its "
          "department's chief representative); others 403", errors=(403,), auth=STAFF, more={200: PNG, **NO_FONT}),
    Route("post", "/api/v1/documents/<doc_id>/reprint", "print the document again at a window the caller "
          "holds (a chief representative also one of the department's); only for who sees the applicant's "
          "identity, never a manager or the admin (403); body window, else the one they are signed in at; audited",
          ok=obj({"document": ref("Document"), "print": ref("Printed")}), errors=(403,), auth=STAFF,
          body=DocumentReprint, body_required=False),
    Route("get", "/api/v1/verify/<verify_code>", "public: is a printed verification code genuine? The document's "
          "kind, number, department, date, case and the applicant masked; 404 for a code no document has",
          ok=obj({"document": ref("Verified")}), more=TOO_MANY),
    Route("get", "/verify/<verify_code>", "public: the verification page (HTML, Chinese then English)", html=True,
          more={**TOO_MANY, 404: {
              "description": "the HTML page saying plainly that no such document exists; the JSON error for an "
              "address that cannot hold a code",
              "content": {"text/html": {"schema": STR}, **error("")["content"]}}}),
)
