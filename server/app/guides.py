"""The service guides (办事指南, article 7) and the public catalogue (article 20).

Anyone reads a guide (`item_view`, `search`); an admin saves a new revision of one (`revise`) or
uploads a sample form in place of the hall file's (`upload_form`). A save is a row of
`guide_revisions`: the next transaction of every process reads it (server.app.allocated), the
kiosk and the public pages are told with `guide.revised` on the room `hall`, and the audit log
names the item, the revision and what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from server.core import guides as core
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.hall import Hall, Item, Material
from server.core.windows import Role, Staff
from server.db import guides_repo
from server.db.uow import Actor
from server.hallconfig.guides import GuideIn

from . import allocated
from .context import Services
from .guide_overlay import GuidesInForce
from .views import iso

GUIDE_REVISED = "guide.revised"
EDITS_GUIDES = (Role.ADMIN,)
NOTE_CHARS = 500
# Sample forms an admin uploads: what the first bytes must be, by extension (a type check that
# does not trust the browser's Content-Type).
FORM_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
# Sent base64 in a JSON body, which the server takes up to 1 MB.
FORM_MAX_BYTES = 512 * 1024


# --- views -----------------------------------------------------------------------------------------


def form_url(item: str, material: str) -> str:
    return f"/guide/forms/{item}/{material}"


def sample_view(gif: GuidesInForce, item: Item, m: Material) -> dict[str, Any] | None:
    """The material's sample form (示范文本): an upload, else the hall file's; None without one."""
    up = gif.uploads.get((item.code, m.code))
    if up is not None:
        return {"url": form_url(item.code, m.code), "filename": up["filename"], "content_type": up["content_type"],
                "size": int(up["size"])}
    if not m.sample:
        return None
    ext = m.sample.rsplit(".", 1)[-1].lower()
    return {"url": form_url(item.code, m.code), "filename": f"{m.name}（示范文本）.{ext}",
            "content_type": FORM_TYPES[ext][0], "size": None}


def guide_view(hall: Hall, gif: GuidesInForce, item: Item) -> dict[str, Any]:
    """Every article 7 field of the item's guide, and the revision in force."""
    g = item.guide
    return {
        "legal_basis": g.legal_basis, "conditions": g.conditions, "accepting_unit": item.accepting_unit_of(hall),
        "process": g.process,
        "materials": [{"code": m.code, "name": m.name, "name_en": m.name_en, "copies": m.copies, "note": m.note,
                       "mistakes": m.mistakes, "sample": sample_view(gif, item, m)} for m in g.materials],
        "common_mistakes": g.common_mistakes,
        "fee": g.fee, "fee_standard": g.fee, "fee_basis": g.fee_basis,
        "time_limit_days": g.time_limit_days, "contact": g.contact, "keywords": list(g.keywords),
        "revision": {"number": g.revision, "revised_on": g.revised_on.isoformat() if g.revised_on else None,
                     "note": g.revision_note},
    }


def item_summary(hall: Hall, item: Item) -> dict[str, Any]:
    dept = hall.department(item.department)
    return {"code": item.code, "name": item.name, "name_en": item.name_en, "department": item.department,
            "department_name": dept.name if dept else item.department,
            "department_name_en": dept.name_en if dept else "",
            "time_limit_days": item.guide.time_limit_days, "fee_standard": item.guide.fee,
            "revised_on": item.guide.revised_on.isoformat() if item.guide.revised_on else None}


def item_view(svc: Services, code: str) -> dict[str, Any]:
    with svc.read() as uow:
        hall, gif = allocated.current_hall(svc, uow), allocated.guides_in_force(svc, uow)
    item = _item(hall, code)
    return {"item": {**item_summary(hall, item), "guide": guide_view(hall, gif, item)}}


def search(svc: Services, query: str) -> dict[str, Any]:
    """The items whose name, keywords or department match the query in Chinese, in pinyin (full or
    initials: "gszc" finds 公司注册) or English, or whose guide mentions its Chinese words."""
    query = " ".join(query.split())[:50]
    with svc.read() as uow:
        hall, gif = allocated.current_hall(svc, uow), allocated.guides_in_force(svc, uow)
    codes = core.search(gif.entries(), query) if query else [i.code for i in hall.items]
    items = [item_summary(hall, i) for c in codes if (i := hall.item(c)) is not None]
    return {"query": query, "count": len(items), "items": items}


def departments(svc: Services) -> dict[str, Any]:
    """Departments → items, for the public guide's first page."""
    hall = allocated.live_hall(svc)
    return {"hall": {"name": hall.name, "name_en": hall.name_en},
            "departments": [{"code": d.code, "name": d.name, "name_en": d.name_en,
                             "items": [item_summary(hall, i) for i in hall.items if i.department == d.code]}
                            for d in hall.departments]}


def _item(hall: Hall, code: str) -> Item:
    item = hall.item(code)
    if item is None:
        raise NotFound(f"没有事项 {code[:40]} / no item {code[:40]}")
    return item


# --- sample forms ----------------------------------------------------------------------------------


def form_file(svc: Services, code: str, material: str, forms_dir: Path) -> dict[str, Any]:
    """A sample form to download: `data`, `filename` and `content_type`; the upload in force, else
    the hall file's from `forms_dir`. 404 when the material has none."""
    with svc.read() as uow:
        hall, gif = allocated.current_hall(svc, uow), allocated.guides_in_force(svc, uow)
        item = _item(hall, code)
        m = item.material(material)
        sample = sample_view(gif, item, m) if m else None
        if m is None or sample is None:
            raise NotFound(f"该材料没有示范文本 / no sample form for {material[:40]}")
        up = gif.uploads.get((code, material))
        data = guides_repo.form_data(uow.conn, int(up["id"])) if up else None
    if data is None:
        try:
            data = (forms_dir / m.sample).read_bytes()
        except OSError:
            raise NotFound(f"示范文本文件缺失 / the sample form file {m.sample} is missing") from None
    return {"filename": sample["filename"], "content_type": sample["content_type"], "data": data}


def upload_form(svc: Services, staff: Staff, code: str, material: str, filename: str, data: bytes) -> dict[str, Any]:
    _may_edit(staff)
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext == "jpeg":
        ext = "jpg"
    if ext not in FORM_TYPES:
        raise Invalid("示范文本须为 PDF、DOCX、PNG 或 JPG 文件 / a sample form is a .pdf, .docx, .png or .jpg file",
                      where="file")
    content_type, magic = FORM_TYPES[ext]
    if not data or len(data) > FORM_MAX_BYTES:
        raise Invalid(f"文件须在 {FORM_MAX_BYTES // 1024} KB 以内且不为空 / the file must be 1 byte to "
                      f"{FORM_MAX_BYTES // 1024} KB", where="file")
    if not any(data.startswith(x) for x in magic):
        raise Invalid(f"文件内容不是 {ext.upper()} / the file's content is not a {ext.upper()}", where="file")
    name = "".join(ch for ch in filename.replace("/", "_").replace("\\", "_") if ch.isprintable()).strip()[-100:]
    with svc.write(Actor("staff", staff.id, staff.username)) as uow:
        item = _item(allocated.current_hall(svc, uow), code)
        m = item.material(material)
        if m is None:
            raise NotFound(f"事项 {code} 没有材料 {material[:40]} / item {code} has no material {material[:40]}")
        form_id = guides_repo.add_form(uow.conn, item=code, material=material, filename=name or f"sample.{ext}",
                                       content_type=content_type, data=data, author=staff.username, at=uow.now)
        # A revision of the guide as it stands, so "revised on / what changed" and the history say it.
        note = f"更换示范文本：{m.name}"
        number = guides_repo.add_revision(uow.conn, item=code, guide=core.to_json(item.guide), author_id=staff.id,
                                          author=staff.username, at=uow.now, note=note)
        allocated.forget(uow)
        uow.audit("guide.form", code, material=material, filename=name, size=len(data), revision=number)
        uow.emit(GUIDE_REVISED, ["hall", f"queue:{item.queue}"],
                 {"item": code, "material": material, "revision": number})
        svc.commit(uow)
    return {"form": {"id": form_id, "item": code, "material": material, "filename": name, "size": len(data),
                     "url": form_url(code, material)}, "revision": number, "note": note}


# --- revisions -------------------------------------------------------------------------------------


def _may_edit(staff: Staff) -> None:
    if staff.role not in EDITS_GUIDES:
        raise Forbidden("只有管理员可以修改办事指南 / only an admin edits the service guides")


def editable(svc: Services, staff: Staff, code: str) -> dict[str, Any]:
    """The guide in force as an edit starts from, and every revision of the item."""
    _may_edit(staff)
    with svc.read() as uow:
        hall = allocated.current_hall(svc, uow)
        item = _item(hall, code)
        rows = guides_repo.history(uow.conn, code)
    history = [{"revision": int(r["revision"]), "author": r["author"], "created_at": iso(hall, r["created_at"]),
                "note": r["note"]} for r in rows]
    file_guide = svc.hall.item(code)
    if file_guide is not None:
        g = file_guide.guide
        history.append({"revision": 0, "author": "大厅配置文件 hall file", "created_at": None,
                        "revised_on": g.revised_on.isoformat() if g.revised_on else None, "note": g.revision_note})
    return {"item": item_summary(hall, item), "guide": core.to_json(item.guide),
            "revision": item.guide.revision, "history": history}


def revise(svc: Services, staff: Staff, code: str, guide: Any, note: str, base_revision: int) -> dict[str, Any]:
    """Save the item's next revision; in force for the next transaction of every process.
    `base_revision` is the revision the edit started from: when another admin saved (or uploaded a
    sample form) since, nothing is saved and the error names the revision in force."""
    _may_edit(staff)
    note = " ".join(str(note or "").split())
    if not note:
        raise Invalid("请写明本次修改了什么 / say what this revision changes", where="note")
    if len(note) > NOTE_CHARS:
        raise Invalid(f"修改说明不超过 {NOTE_CHARS} 字 / at most {NOTE_CHARS} characters", where="note")
    checked = _checked(guide)
    with svc.write(Actor("staff", staff.id, staff.username)) as uow:
        hall = allocated.current_hall(svc, uow)
        item = _item(hall, code)
        stored = core.to_json(checked.to_core())
        number = guides_repo.add_revision(uow.conn, item=code, guide=stored, author_id=staff.id,
                                          author=staff.username, at=uow.now, note=note)
        if number != base_revision + 1:  # the number is taken under the item's row lock
            raise core.StaleRevision(
                f"办事指南已被他人修订：现行为第 {number - 1} 次修订，您的修改基于第 {base_revision} 次，"
                f"请重新加载后再修改 / the guide was revised meanwhile: revision {number - 1} is in force, "
                f"the edit started from revision {base_revision}; reload it and make the change again",
                current=number - 1, base=base_revision)
        allocated.forget(uow)
        uow.audit("guide.revise", code, revision=number, note=note,
                  time_limit_days=[item.guide.time_limit_days, checked.time_limit_days])
        # The hall (kiosks) and the item's queue (the consoles serving it: their checklist).
        uow.emit(GUIDE_REVISED, ["hall", f"queue:{item.queue}"], {"item": code, "revision": number})
        svc.commit(uow)
        day = uow.now.astimezone(ZoneInfo(hall.timezone)).date()
    return {"item": code, "revision": number, "revised_on": day.isoformat(), "note": note}


def _checked(guide: Any) -> GuideIn:
    """The edit, checked as the hall file's [items.guide] is; sample files stay the hall file's
    (an admin replaces one by uploading it)."""
    if not isinstance(guide, dict):
        raise Invalid("guide 须为对象 / guide must be an object", where="guide")
    raw = {k: v for k, v in guide.items() if k not in ("revised_on", "revision_note", "revision")}
    if "fee" in raw and "fee_standard" in raw:
        raw.pop("fee")
    if isinstance(raw.get("materials"), list):
        raw["materials"] = [{k: v for k, v in m.items() if k != "sample"} if isinstance(m, dict) else m
                            for m in raw["materials"]]
    try:
        return GuideIn.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "guide"
        raise Invalid(f"办事指南填写有误 / {first['msg']}", where=f"guide.{where}") from None
