"""The rating's request body (POST /api/v1/tickets/{id}/rating and /api/v1/case/{token}/rating).

The shape is checked here (a whole number, a list of codes, text of at most 500 characters);
which tags the hall has, and that they go with a poor level only, is the core's rule
(server/core/rating.py), answered with a 400 naming `tags`.
"""

from __future__ import annotations

from pydantic import Field

from server.core.rating import COMMENT_MAX

from .bodies import Body


class Rate(Body):
    level: int = Field(ge=1, le=5, strict=True,
                       description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    tags: list[str] = Field(default_factory=list, max_length=12,
                            description="reason codes from the hall's [ratings] tags; with level 1 or 2 only")
    comment: str = Field(default="", max_length=COMMENT_MAX)
