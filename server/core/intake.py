"""What a window states when a service opens a case, checked before anything is recorded: the
item the service was for, and the materials it lists as received or missing.

These run before the applicant is read and before a case number is drawn; their errors name the
list at fault ("materials: ...", "missing: ...") with the codes the item does have.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.core import calling
from server.core.case_errors import ItemRequired, MaterialsOverlap, UnknownMaterial
from server.core.errors import NotFound
from server.core.hall import Hall, Item, Window
from server.core.tickets import Ticket


def item_served(hall: Hall, window: Window, ticket: Ticket, item_code: str | None) -> Item:
    """The item the service was for: the one given (a visitor may have taken a number for a
    neighbouring item), else the ticket's."""
    code = item_code or ticket.item
    if not code:
        served = ", ".join(i.code for i in hall.items_of_queue(ticket.queue))
        raise ItemRequired(number=ticket.number, queue=ticket.queue, served=served)
    found = hall.item(code)
    if found is None:
        raise NotFound(f"unknown item {code!r}")
    # The item, even the ticket's own (a ticket transferred here keeps its first item), must be
    # one this window serves: a case opened elsewhere would show another department the applicant.
    calling.require_item_here(hall, window, found)
    return found


def check_materials(item: Item, received: Sequence[str], missing: Sequence[str]) -> None:
    """Every code one of the item's materials, and none both received and missing."""
    for where, codes in (("materials", received), ("missing", missing)):
        unknown = [c for c in dict.fromkeys(codes) if item.material(c) is None]
        if unknown:
            known = ", ".join(m.code for m in item.guide.materials) or "none"
            listed = ", ".join(f'"{c}"' for c in unknown)
            raise UnknownMaterial(
                f"unknown material code{'s' if len(unknown) > 1 else ''} {listed} for item {item.code} "
                f"({item.name}); its materials are {known}",
                where=where,
            )
    both = sorted(set(received) & set(missing))
    if both:
        raise MaterialsOverlap(codes=", ".join(both))
