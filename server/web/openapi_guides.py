"""OpenAPI rows of the service guides' routes (api_guides.py), part of `openapi.ROUTES`."""

from __future__ import annotations

from .bodies_guides import ReviseGuide, UploadForm
from .openapi_route import STAFF, Route
from .openapi_schemas import DATE, INT, INT_OR_NULL, STR, STRINGS, TIME_OR_NULL, nullable, obj

SUMMARY = obj({
    "code": STR, "name": STR, "name_en": STR, "department": STR, "department_name": STR, "department_name_en": STR,
    "time_limit_days": INT, "fee_standard": STR, "revised_on": {"type": ["string", "null"], "format": "date"},
})
SAMPLE = obj({"url": {**STR, "description": "/guide/forms/{item}/{material}: the file, as an attachment"},
              "filename": STR, "content_type": STR, "size": INT_OR_NULL})
GUIDE = obj({
    "legal_basis": {**STR, "description": "办理依据"}, "conditions": {**STR, "description": "受理条件"},
    "accepting_unit": {**STR, "description": "受理单位"}, "process": {**STR, "description": "基本流程"},
    "materials": {"type": "array", "description": "申请材料", "items": obj({
        "code": STR, "name": STR, "name_en": STR, "copies": STR, "note": STR,
        "mistakes": {**STR, "description": "常见错误示例"},
        "sample": {**nullable(SAMPLE), "description": "示范文本; null without one"},
    })},
    "common_mistakes": STR, "fee": STR, "fee_standard": {**STR, "description": "收费标准"},
    "fee_basis": {**STR, "description": "收费依据"},
    "time_limit_days": {**INT, "description": "办理时限, working days"},
    "contact": {**STR, "description": "咨询方式"}, "keywords": STRINGS,
    "revision": obj({"number": {**INT, "description": "0: the hall file's guide"},
                     "revised_on": {"type": ["string", "null"], "format": "date"}, "note": STR}),
})
ITEM_OK = obj({"item": obj({**SUMMARY["properties"], "guide": GUIDE})})
SEARCH_OK = obj({"query": STR, "count": INT, "items": {"type": "array", "items": SUMMARY}})
EDITABLE_OK = obj({
    "item": SUMMARY, "guide": {"type": "object", "description": "the guide in force, to edit and PUT back"},
    "revision": INT,
    "history": {"type": "array", "items": obj({"revision": INT, "author": STR, "created_at": TIME_OR_NULL,
                                                "note": STR})},
})
REVISED_OK = obj({"item": STR, "revision": INT, "revised_on": DATE, "note": STR})
FORM_OK = obj({"form": obj({"id": INT, "item": STR, "material": STR, "filename": STR, "size": INT, "url": STR}),
               "revision": INT, "note": STR})
GUIDE_ROUTES: tuple[Route, ...] = (
    Route("get", "/api/v1/guide/items", "search the public service guide (办事指南): by Chinese words, pinyin "
          "initials (gszc finds 公司注册) or full pinyin, English, or an item code; no q: every item",
          ok=SEARCH_OK, errors=(400,),
          query=({"name": "q", "in": "query", "required": False, "schema": {**STR, "maxLength": 200}},)),
    Route("get", "/api/v1/guide/items/<code>", "one item's full guide, every article 7 field, with its sample "
          "forms and the revision in force", ok=ITEM_OK),
    Route("get", "/api/v1/admin/guides/<code>", "the guide in force to edit, and every revision of it (admins)",
          ok=EDITABLE_OK, errors=(403,), auth=STAFF),
    Route("put", "/api/v1/admin/guides/<code>", "save the item's next guide revision (admins); in force for the "
          "next request of every process; sent as guide.revised. 409 stale_revision when base_revision is not the "
          "revision in force (another admin saved meanwhile): its message names that revision; reload and redo",
          ok=REVISED_OK, errors=(403, 409), auth=STAFF,
          body=ReviseGuide),
    Route("put", "/api/v1/admin/guides/<code>/materials/<material>/form", "upload a sample form (示范文本) in "
          "place of the hall file's (admins): PDF, DOCX, PNG or JPG, checked by content, at most 512 KB; recorded "
          "as a revision of the guide (note 更换示范文本：<material>)",
          ok=FORM_OK, status=201, errors=(403,), auth=STAFF, body=UploadForm),
)
