"""A window's working state and who may sign in there (protocol v1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.core.errors import Forbidden, Invalid, WindowStateError
from server.core.windows import (
    Role,
    Staff,
    WindowState,
    WindowStatus,
    close,
    hand_over,
    may_oversee,
    may_staff,
    open_window,
    pause,
    require_calling,
    require_not_elsewhere,
    require_staffed_by,
    resume,
    transfer_queue,
)

from .halls import T0, minutes, proxy_window, window

LATER = T0 + minutes(5)
TAX_WINDOW = window("w1", "a", department="TAX")
MARKET_WINDOW = window("w2", "b", department="MKT", number=2)
PROXY = proxy_window("p1", "a", "b")

TAX_CLERK = Staff(1, "wang", Role.WINDOW, department="TAX")
TAX_CLERK_2 = Staff(2, "li", Role.WINDOW, department="TAX")
FLOATER = Staff(3, "zhao", Role.WINDOW)  # a window user given no department
TAX_CHIEF = Staff(4, "chen", Role.CHIEF, department="TAX")
MANAGER = Staff(5, "sun", Role.MANAGER)
ADMIN = Staff(6, "root", Role.ADMIN)


def opened(staff: Staff = TAX_CLERK, w=TAX_WINDOW) -> WindowState:
    return open_window(WindowState(w.id), w, staff, T0)


# ---------------------------------------------------------------- who may sign in where


@pytest.mark.parametrize(
    ("staff", "w", "allowed"),
    [
        (TAX_CLERK, TAX_WINDOW, True),
        (TAX_CLERK, MARKET_WINDOW, False),
        (TAX_CLERK, PROXY, True),
        (FLOATER, TAX_WINDOW, True),
        (FLOATER, MARKET_WINDOW, True),
        (FLOATER, PROXY, True),
        (MANAGER, MARKET_WINDOW, True),
        (ADMIN, PROXY, True),
    ],
    ids=lambda v: getattr(v, "username", None) or getattr(v, "id", None) or str(v),
)
def test_protocol_v1_sign_in_rules(staff, w, allowed):
    assert may_staff(w, staff) is allowed


def test_a_department_user_may_not_sign_in_at_another_departments_window():
    with pytest.raises(Forbidden, match="wang \\(TAX\\) may not sign in at 2号窗口"):
        open_window(WindowState(MARKET_WINDOW.id), MARKET_WINDOW, TAX_CLERK, T0)


def test_a_proxy_window_that_names_a_department_still_takes_every_department():
    proxy_in_tax_zone = replace(PROXY, department="TAX")
    market_clerk = Staff(7, "zhou", Role.WINDOW, department="MKT")
    assert may_staff(proxy_in_tax_zone, market_clerk)


def test_a_chief_oversees_the_departments_windows_and_the_proxy_ones_only():
    assert may_oversee(TAX_WINDOW, TAX_CHIEF)
    assert may_oversee(PROXY, TAX_CHIEF)
    assert not may_oversee(MARKET_WINDOW, TAX_CHIEF)
    assert not may_oversee(TAX_WINDOW, TAX_CLERK)
    assert may_oversee(MARKET_WINDOW, MANAGER)


# ---------------------------------------------------------------- open, pause, resume, close


def test_opening_a_closed_window_signs_the_staff_in():
    state = opened()
    assert (state.status, state.staff_id, state.since, state.pause_reason) == (WindowStatus.OPEN, 1, T0, "")


def test_a_window_starts_the_day_closed():
    assert WindowState("w1").status is WindowStatus.CLOSED


def test_opening_again_by_the_same_staff_is_harmless():
    assert open_window(opened(), TAX_WINDOW, TAX_CLERK, LATER).status is WindowStatus.OPEN


def test_another_staff_cannot_silently_take_over_a_staffed_window():
    with pytest.raises(WindowStateError, match="another member of staff"):
        open_window(opened(), TAX_WINDOW, TAX_CLERK_2, LATER)
    paused = pause(opened(), "lunch", LATER)
    with pytest.raises(WindowStateError, match="is paused with another member of staff"):
        open_window(paused, TAX_WINDOW, TAX_CLERK_2, LATER)


def test_a_hand_over_passes_the_window_on_and_clears_a_pause():
    paused = pause(opened(), "lunch", LATER)
    state = hand_over(paused, TAX_WINDOW, TAX_CLERK_2, LATER)
    assert (state.status, state.staff_id, state.pause_reason) == (WindowStatus.OPEN, 2, "")


def test_a_hand_over_to_someone_who_may_not_work_there_is_refused():
    market_clerk = Staff(7, "zhou", Role.WINDOW, department="MKT")
    with pytest.raises(Forbidden, match="zhou may not work at 1号窗口"):
        hand_over(opened(), TAX_WINDOW, market_clerk, LATER)


def test_a_pause_needs_a_reason():
    for blank in ("", "   ", "\n\t"):
        with pytest.raises(Invalid, match="a pause needs a reason"):
            pause(opened(), blank, LATER)


def test_a_pause_keeps_its_reason_trimmed_and_bounded():
    state = pause(opened(), "  lunch  ", LATER)
    assert (state.status, state.pause_reason, state.since, state.staff_id) == (WindowStatus.PAUSED, "lunch", LATER, 1)
    assert len(pause(opened(), "x" * 500, LATER).pause_reason) == 200


@pytest.mark.parametrize("status", [WindowStatus.CLOSED, WindowStatus.PAUSED])
def test_only_an_open_window_pauses(status):
    state = WindowState("w1", status=status, staff_id=1, pause_reason="meeting")
    with pytest.raises(WindowStateError, match=f"window w1 is {status.value}; only an open window pauses"):
        pause(state, "lunch", LATER)


def test_resume_reopens_a_paused_window_and_clears_the_reason():
    state = resume(pause(opened(), "lunch", LATER), LATER + minutes(30))
    assert (state.status, state.pause_reason, state.since) == (WindowStatus.OPEN, "", LATER + minutes(30))


@pytest.mark.parametrize("status", [WindowStatus.CLOSED, WindowStatus.OPEN])
def test_only_a_paused_window_resumes(status):
    with pytest.raises(WindowStateError, match="not paused"):
        resume(WindowState("w1", status=status), LATER)


def test_closing_signs_the_staff_out():
    state = close(pause(opened(), "lunch", LATER), LATER)
    assert (state.status, state.staff_id, state.pause_reason) == (WindowStatus.CLOSED, None, "")


def test_a_window_with_a_ticket_on_it_cannot_close():
    busy = replace(opened(), current_ticket="t-a-1")
    with pytest.raises(WindowStateError, match="still has a ticket; finish, transfer or mark it first"):
        close(busy, LATER)


def test_a_window_with_a_ticket_on_it_cannot_pause():
    """The hall screen still sends that visitor here: a paused window would be empty when they come."""
    busy = replace(opened(), current_ticket="t-a-1")
    with pytest.raises(WindowStateError, match="still has a ticket"):
        pause(busy, "午休", LATER)


# ---------------------------------------------------------------- which queue a transfer to a window joins


def test_a_visitor_sent_to_a_window_keeps_their_queue_where_it_is_served():
    assert transfer_queue(PROXY, "b", None) == "b"


def test_a_window_of_one_other_queue_takes_the_visitor_into_it():
    assert transfer_queue(MARKET_WINDOW, "a", None) == "b"


def test_a_window_of_several_other_queues_needs_the_queue_named():
    wide = proxy_window("p2", "c", "d")
    with pytest.raises(Invalid, match="c/d") as e:
        transfer_queue(wide, "a", None)
    assert "请指定" in e.value.message_zh
    assert transfer_queue(wide, "a", "d") == "d"


def test_a_queue_named_must_be_served_at_the_window():
    with pytest.raises(Invalid, match="does not serve queue b"):
        transfer_queue(TAX_WINDOW, "a", "b")


# ---------------------------------------------------------------- calling and acting at a window


def test_an_open_idle_window_may_call():
    assert require_calling(opened()) is None


def test_a_paused_window_may_not_call_and_says_why():
    with pytest.raises(WindowStateError, match=r"window w1 is paused \(lunch\); resume it first"):
        require_calling(pause(opened(), "lunch", LATER))


def test_a_closed_window_may_not_call():
    with pytest.raises(WindowStateError, match="window w1 is closed; open it first"):
        require_calling(WindowState("w1"))


def test_a_window_still_on_a_ticket_may_not_call_the_next():
    busy = replace(opened(), current_ticket="t-a-1")
    with pytest.raises(WindowStateError, match="still on a ticket; finish it, mark it no-show or transfer it"):
        require_calling(busy)


def test_only_the_signed_in_staff_acts_at_a_window():
    state = opened()
    assert require_staffed_by(state, TAX_CLERK) is None
    with pytest.raises(Forbidden, match="li is not signed in at window w1"):
        require_staffed_by(state, TAX_CLERK_2)
    with pytest.raises(WindowStateError, match="closed"):
        require_staffed_by(WindowState("w1"), TAX_CLERK)


def test_window_state_errors_are_conflicts_and_forbidden_is_forbidden():
    assert WindowStateError.kind == "conflict"
    assert Forbidden.kind == "forbidden"
    assert Invalid.kind == "invalid"


def test_one_person_holds_one_window_at_a_time():
    at_tax = opened()
    with pytest.raises(WindowStateError, match="signed in at window w1"):
        require_not_elsewhere([at_tax], "w2", TAX_CLERK)
    require_not_elsewhere([at_tax], "w1", TAX_CLERK)  # the same window again
    require_not_elsewhere([at_tax], "w2", TAX_CLERK_2)
    require_not_elsewhere([close(at_tax, LATER)], "w2", TAX_CLERK)
