"""Request bodies of the guide editor's routes (/api/v1/admin/guides/...)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .bodies import Body


class ReviseGuide(Body):
    guide: dict[str, Any] = Field(description="the whole guide, as GET /api/v1/admin/guides/{code} gives it; "
                                              "checked as the hall file's [items.guide]")
    note: str = Field(min_length=1, max_length=500, description="what this revision changes (修改说明)")
    base_revision: int = Field(ge=0, le=1_000_000, description="the `revision` GET /api/v1/admin/guides/{code} "
                               "gave when the edit started (0: the hall file's); a 409 stale_revision when "
                               "another admin saved since, naming the revision in force")


class UploadForm(Body):
    filename: str = Field(min_length=1, max_length=120, description="ends .pdf, .docx, .png or .jpg")
    content_base64: str = Field(min_length=1, max_length=700_000,
                                description="the file, base64; at most 512 KB once decoded")
