"""The hall monitor's corrections of a ticket: move, priority, reactivate a no-show, force-finish."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core import tickets as tk
from server.core.errors import IllegalTransition, Invalid
from server.core.tickets import Priority, Status

from .halls import T0, minutes, ticket
from .test_tickets import in_status

NOW = T0 + minutes(40)


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=0, max_value=600))
def test_a_reactivated_no_show_waits_again_in_its_old_place(seq: int, late: int) -> None:
    t = tk.no_show(tk.call(ticket("a", seq), "w1", T0 + minutes(5)), T0 + minutes(9))
    back = tk.reactivate(t, T0 + minutes(10 + late))
    assert back.status is Status.WAITING
    assert (back.rank_at, back.number, back.queue) == (t.rank_at, t.number, t.queue)
    assert back.window is None and back.finished_at is None and back.called_at is None


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.NO_SHOW])
def test_only_a_no_show_is_reactivated(status: Status) -> None:
    with pytest.raises(IllegalTransition):
        tk.reactivate(in_status(status), NOW)


@pytest.mark.parametrize("status", [Status.CALLED, Status.SERVING])
def test_force_finish_closes_a_service_left_open(status: Status) -> None:
    done = tk.force_finish(in_status(status), NOW)
    assert done.status is Status.DONE and done.finished_at == NOW and done.outcome is None
    assert done.started_at is not None and done.started_at <= NOW


@pytest.mark.parametrize("status", [Status.WAITING, Status.SUSPENDED, Status.DONE, Status.NO_SHOW, Status.CANCELLED])
def test_force_finish_needs_a_service_in_progress(status: Status) -> None:
    with pytest.raises(IllegalTransition):
        tk.force_finish(in_status(status), NOW)


def test_moving_a_waiting_ticket_keeps_number_and_place() -> None:
    t = in_status(Status.WAITING)
    moved = tk.move(t, "b", NOW)
    assert (moved.queue, moved.number, moved.rank_at, moved.origin_queue) == ("b", t.number, t.rank_at, "a")
    assert moved.status is Status.WAITING


def test_moving_a_called_ticket_is_a_transfer() -> None:
    moved = tk.move(in_status(Status.CALLED), "b", NOW)
    assert moved.status is Status.WAITING and moved.window is None and moved.queue == "b"


def test_moving_to_its_own_queue_or_a_final_ticket_is_refused() -> None:
    with pytest.raises(Invalid):
        tk.move(in_status(Status.WAITING), "a", NOW)
    with pytest.raises(IllegalTransition):
        tk.move(in_status(Status.DONE), "b", NOW)


def test_priority_changes_keep_the_place_and_need_a_waiting_ticket() -> None:
    t = in_status(Status.WAITING)
    green = tk.set_priority(t, Priority.GREEN, NOW, "elderly")
    assert green.class_rank < t.class_rank and green.rank_at == t.rank_at and green.green_reason == "elderly"
    assert tk.set_priority(green, Priority.NORMAL, NOW).green_reason is None
    with pytest.raises(Invalid):
        tk.set_priority(t, Priority.NORMAL, NOW)
    with pytest.raises(Invalid):
        tk.set_priority(t, Priority.GREEN, NOW, "vip")
    with pytest.raises(IllegalTransition):
        tk.set_priority(in_status(Status.CALLED), Priority.GREEN, NOW)
