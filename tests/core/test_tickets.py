"""The ticket's life cycle: which action each status allows, and what each action keeps."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import tickets as tk
from server.core.errors import IllegalTransition, Invalid
from server.core.tickets import Outcome, Priority, Status, Ticket

from .halls import T0, minutes, ticket

W1 = "w1"


def in_status(status: Status) -> Ticket:
    """A ticket of queue `a` brought to `status` the ordinary way, called at window w1."""
    t = ticket("a", 7)
    if status is Status.WAITING:
        return t
    if status is Status.CANCELLED:
        return tk.cancel(t, T0 + minutes(1))
    t = tk.call(t, W1, T0 + minutes(5))
    return {
        Status.CALLED: lambda: t,
        Status.SERVING: lambda: tk.start(t, T0 + minutes(6)),
        Status.SUSPENDED: lambda: tk.suspend(t, T0 + minutes(6)),
        Status.DONE: lambda: tk.finish(t, T0 + minutes(9)),
        Status.NO_SHOW: lambda: tk.no_show(t, T0 + minutes(9)),
    }[status]()


NOW = T0 + minutes(30)
ACTIONS: dict[str, Callable[[Ticket], Ticket]] = {
    "call": lambda t: tk.call(t, W1, NOW),
    "recall": lambda t: tk.recall(t, NOW),
    "start": lambda t: tk.start(t, NOW),
    "no_show": lambda t: tk.no_show(t, NOW),
    "finish": lambda t: tk.finish(t, NOW, Outcome.ACCEPTED),
    "cancel": lambda t: tk.cancel(t, NOW),
    "transfer": lambda t: tk.transfer(t, "b" if t.queue == "a" else "a", NOW),
    "suspend": lambda t: tk.suspend(t, NOW),
    "resume": lambda t: tk.resume(t, NOW),
}
# (status, action) -> status after; every pair not listed is illegal.
LEGAL = {
    (Status.WAITING, "call"): Status.CALLED,
    (Status.WAITING, "cancel"): Status.CANCELLED,
    (Status.CALLED, "recall"): Status.CALLED,
    (Status.CALLED, "start"): Status.SERVING,
    (Status.CALLED, "no_show"): Status.NO_SHOW,
    (Status.CALLED, "finish"): Status.DONE,
    (Status.CALLED, "transfer"): Status.WAITING,
    (Status.CALLED, "suspend"): Status.SUSPENDED,
    (Status.SERVING, "finish"): Status.DONE,
    (Status.SERVING, "transfer"): Status.WAITING,
    (Status.SERVING, "suspend"): Status.SUSPENDED,
    (Status.SUSPENDED, "cancel"): Status.CANCELLED,
    (Status.SUSPENDED, "resume"): Status.WAITING,
}
ALL_PAIRS = list(itertools.product(Status, ACTIONS))
LEGAL_PAIRS = [p for p in ALL_PAIRS if p in LEGAL]
ILLEGAL_PAIRS = [p for p in ALL_PAIRS if p not in LEGAL]


def pair_id(pair) -> str:
    return f"{pair[0].value}-{pair[1]}"


# ---------------------------------------------------------------- the transition table


@pytest.mark.parametrize("pair", LEGAL_PAIRS, ids=pair_id)
def test_every_legal_action_leads_where_the_life_cycle_says(pair):
    status, action = pair
    before = in_status(status)
    after = ACTIONS[action](before)
    assert after.status is LEGAL[(status, action)]
    assert before.status is status, "actions return a new ticket and leave the old one alone"


@pytest.mark.parametrize("pair", ILLEGAL_PAIRS, ids=pair_id)
def test_every_illegal_action_is_refused_naming_the_ticket_and_its_status(pair):
    status, action = pair
    before = in_status(status)
    with pytest.raises(IllegalTransition) as caught:
        ACTIONS[action](before)
    error = caught.value
    assert "A007" in error.message
    assert status.value in error.message
    assert error.details["status"] == status.value
    assert error.details["ticket"] == before.id
    assert error.kind == "conflict"
    assert error.code == "illegal_transition"


@pytest.mark.parametrize("status", sorted(tk.FINAL))
def test_a_final_ticket_allows_no_action_at_all(status):
    assert not [a for a in ACTIONS if (status, a) in LEGAL]


def test_the_status_sets_partition_the_life_cycle():
    assert set(tk.ACTIVE_AT_WINDOW) == {Status.CALLED, Status.SERVING}
    assert set(tk.FINAL) == {Status.DONE, Status.NO_SHOW, Status.CANCELLED}
    assert not tk.ACTIVE_AT_WINDOW & tk.FINAL


# ---------------------------------------------------------------- rules read one by one


def test_a_called_ticket_cannot_be_cancelled():
    with pytest.raises(IllegalTransition, match="A007 is called; cannot cancel"):
        tk.cancel(in_status(Status.CALLED), NOW)


def test_a_ticket_being_served_cannot_be_cancelled_or_marked_as_not_come():
    serving = in_status(Status.SERVING)
    with pytest.raises(IllegalTransition):
        tk.cancel(serving, NOW)
    with pytest.raises(IllegalTransition, match="serving"):
        tk.no_show(serving, NOW)


def test_a_waiting_ticket_cannot_be_finished_without_being_called():
    with pytest.raises(IllegalTransition, match="A007 is waiting; cannot finish"):
        tk.finish(in_status(Status.WAITING), NOW)


def test_a_done_ticket_cannot_be_called_again():
    with pytest.raises(IllegalTransition, match="A007 is done"):
        tk.call(in_status(Status.DONE), W1, NOW)


def test_a_visitor_who_did_not_come_cannot_be_recalled_afterwards():
    with pytest.raises(IllegalTransition, match="no_show"):
        tk.recall(in_status(Status.NO_SHOW), NOW)


def test_a_suspended_visitor_may_give_up_and_be_cancelled():
    assert tk.cancel(in_status(Status.SUSPENDED), NOW).status is Status.CANCELLED


def test_calling_stamps_the_window_time_and_attempt():
    t = tk.call(ticket("a", 7), W1, NOW)
    assert (t.status, t.window, t.called_at, t.attempts, t.recalls) == (Status.CALLED, W1, NOW, 1, 0)


def test_each_recall_is_counted_and_moves_the_call_time():
    t = in_status(Status.CALLED)
    first = tk.recall(t, NOW)
    second = tk.recall(first, NOW + minutes(1))
    assert (first.recalls, second.recalls) == (1, 2)
    assert second.called_at == NOW + minutes(1)
    assert second.attempts == t.attempts == 1, "a recall is not a new attempt"
    assert second.window == W1


def test_a_new_call_after_a_transfer_starts_the_recall_count_again_and_counts_an_attempt():
    t = tk.recall(tk.recall(in_status(Status.CALLED), NOW), NOW)
    moved = tk.transfer(t, "b", NOW)
    assert moved.recalls == 0
    again = tk.call(moved, "w2", NOW + minutes(2))
    assert (again.recalls, again.attempts, again.window) == (0, 2, "w2")


def test_starting_service_keeps_the_call_and_stamps_the_start():
    t = tk.start(in_status(Status.CALLED), NOW)
    assert t.started_at == NOW
    assert t.called_at == T0 + minutes(5)


def test_finishing_straight_from_called_counts_service_from_now():
    t = tk.finish(in_status(Status.CALLED), NOW, Outcome.CONSULTED)
    assert (t.status, t.started_at, t.finished_at, t.outcome) == (Status.DONE, NOW, NOW, Outcome.CONSULTED)


def test_finishing_after_start_keeps_the_start_time():
    serving = in_status(Status.SERVING)
    t = tk.finish(serving, NOW)
    assert t.started_at == serving.started_at
    assert t.finished_at == NOW
    assert t.outcome is None


def test_no_show_and_cancel_stamp_the_end():
    assert tk.no_show(in_status(Status.CALLED), NOW).finished_at == NOW
    assert tk.cancel(in_status(Status.WAITING), NOW).finished_at == NOW


# ---------------------------------------------------------------- transfer


@pytest.mark.parametrize("status", [Status.CALLED, Status.SERVING])
def test_a_transfer_keeps_number_and_place_and_remembers_the_origin_queue(status):
    before = in_status(status)
    after = tk.transfer(before, "b", NOW, note="needs the tax office")
    assert after.status is Status.WAITING
    assert after.queue == "b"
    assert after.number == before.number == "A007"
    assert after.seq_no == before.seq_no
    assert after.rank_at == before.rank_at == before.issued_at
    assert after.origin_queue == "a"
    assert after.note == "needs the tax office"
    assert (after.window, after.target_window, after.called_at, after.started_at) == (None, None, None, None)


def test_a_second_transfer_keeps_the_first_origin_queue():
    once = tk.transfer(in_status(Status.CALLED), "b", NOW)
    twice = tk.transfer(tk.call(once, "w2", NOW), "c", NOW)
    assert twice.origin_queue == "a"
    assert twice.queue == "c"
    assert twice.rank_at == T0


def test_a_transfer_without_a_note_keeps_the_previous_note():
    noted = tk.transfer(in_status(Status.CALLED), "b", NOW, note="bring the lease")
    again = tk.transfer(tk.call(noted, "w2", NOW), "c", NOW)
    assert again.note == "bring the lease"


def test_a_transfer_to_its_own_queue_is_refused():
    with pytest.raises(Invalid, match="A007 is already in queue a"):
        tk.transfer(in_status(Status.CALLED), "a", NOW)


def test_a_transfer_to_one_window_of_the_same_queue_is_allowed_and_targets_that_window():
    t = tk.transfer(in_status(Status.CALLED), "a", NOW, window="w2")
    assert (t.status, t.queue, t.target_window) == (Status.WAITING, "a", "w2")


def test_a_ticket_sent_to_one_window_cannot_be_called_at_another():
    sent = tk.transfer(in_status(Status.CALLED), "b", NOW, window="w2")
    with pytest.raises(IllegalTransition, match="sent to window w2"):
        tk.call(sent, "w3", NOW)
    assert tk.call(sent, "w2", NOW).window == "w2"


def test_a_waiting_ticket_cannot_be_transferred_it_must_be_called_first():
    with pytest.raises(IllegalTransition, match="A007 is waiting; cannot transfer it to queue b"):
        tk.transfer(in_status(Status.WAITING), "b", NOW)


# ---------------------------------------------------------------- suspension (挂起)


@pytest.mark.parametrize("status", [Status.CALLED, Status.SERVING])
def test_suspend_then_resume_returns_to_waiting_for_the_same_window(status):
    before = in_status(status)
    suspended = tk.suspend(before, NOW, note="fetch the household register")
    assert suspended.status is Status.SUSPENDED
    assert suspended.target_window == W1
    assert (suspended.window, suspended.called_at, suspended.started_at) == (None, None, None)
    back = tk.resume(suspended, NOW + minutes(40))
    assert back.status is Status.WAITING
    assert back.target_window == W1
    assert back.number == before.number
    assert back.rank_at == before.rank_at
    assert back.queue == before.queue
    assert back.note == "fetch the household register"


def test_a_resumed_visitor_is_called_back_only_at_the_window_that_suspended_them():
    back = tk.resume(tk.suspend(in_status(Status.SERVING), NOW), NOW)
    with pytest.raises(IllegalTransition, match="sent to window w1"):
        tk.call(back, "w2", NOW)
    assert tk.call(back, W1, NOW).attempts == 2


def test_a_suspended_ticket_cannot_be_called_before_the_visitor_is_back():
    with pytest.raises(IllegalTransition, match="A007 is suspended"):
        tk.call(in_status(Status.SUSPENDED), W1, NOW)


# ---------------------------------------------------------------- ordering key


def test_green_tickets_sort_before_normal_ones_whatever_their_place():
    normal = ticket("a", 1, issued_at=T0)
    green = ticket("a", 2, issued_at=T0 + minutes(30), priority=Priority.GREEN)
    assert green.waiting_key < normal.waiting_key
    assert (green.class_rank, normal.class_rank) == (0, 1)


def test_within_a_class_the_earlier_place_sorts_first():
    assert ticket("a", 1, issued_at=T0).waiting_key < ticket("a", 2, issued_at=T0 + minutes(1)).waiting_key


# ---------------------------------------------------------------- any sequence of actions


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=12))
def test_any_sequence_follows_the_table_and_never_changes_identity_or_place(actions):
    t = ticket("a", 7)
    for action in actions:
        legal = LEGAL.get((t.status, action))
        if legal is None:
            with pytest.raises(IllegalTransition):
                ACTIONS[action](t)
            continue
        after = ACTIONS[action](t)
        assert after.status is legal
        assert (after.id, after.number, after.seq_no, after.day, after.issued_at, after.rank_at) == (
            t.id,
            t.number,
            t.seq_no,
            t.day,
            t.issued_at,
            t.rank_at,
        )
        assert after.attempts == t.attempts + (action == "call")
        if after.status in tk.ACTIVE_AT_WINDOW:
            assert after.window is not None
        if after.status in (Status.WAITING, Status.SUSPENDED):
            assert after.window is None
        if after.status in tk.FINAL:
            assert after.finished_at == NOW
        t = after
