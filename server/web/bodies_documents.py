"""Request bodies of the document routes (api_documents.py)."""

from __future__ import annotations

from pydantic import Field

from .bodies import Body


class DocumentReprint(Body):
    window: str | None = Field(default=None, min_length=1, max_length=16,
                               description="the window whose printer reprints it; default: the caller's own")
