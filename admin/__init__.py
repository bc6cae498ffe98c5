"""The admin page (系统管理) at `/manage/admin`: staff accounts, devices and the hall notice,
without a terminal (issue 11, point 8).

One static page; everything comes from the API with the admin's (or manager's) token:
`/api/v1/admin/users`, `/api/v1/admin/devices`, `/api/v1/hall/notice`. No rules live here: the
server decides who may do what and the page shows its answer, Chinese first.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from server.web.auth import services

bp = Blueprint(
    "admin",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/manage/admin/static",
)


@bp.get("/manage/admin")
def admin_page() -> str:
    return render_template("admin/admin.html", hall=services().hall)


@bp.get("/manage/admin/guides")
def guides_page() -> str:
    """办事指南维护: an admin edits the service guides (issue 14, point 5); revisions take effect at once."""
    return render_template("admin/guides.html", hall=services().hall)
