"""The hall's appointment settings, apart from server/core/appointments.py so that `hall` can hold
them without importing the rules that read the hall."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppointmentRules:
    """The hall file's [appointments] (server/hallconfig/appointments.py documents each key)."""

    enabled: bool = True
    slot_minutes: int = 30
    # Of the window time planned for a queue, the share never offered for booking.
    walk_in_share: float = 0.6
    # Bookable from the next slot today up to this many calendar days ahead.
    horizon_days: int = 7
    # Bookings of one item on one day, at most.
    daily_cap: int = 40
    # Check-in at the kiosk from this long before the slot's start to `grace_minutes` after it.
    check_in_before_minutes: int = 30
    grace_minutes: int = 15
    # A late visitor gets an ordinary number (True) or is only told to take one (False).
    late_walk_in: bool = True
    # Appointment tickets called ahead of older walk-ins take at most this share of a window's
    # recent calls (server/core/calling.py).
    call_share: float = 0.5
    # `no_show_limit` no-shows within `no_show_period_days` suspend booking for `suspend_days`.
    no_show_limit: int = 3
    no_show_period_days: int = 30
    suspend_days: int = 30
    # Bookings one client address may make per hour and per day (24 hours), and active bookings one
    # ID number (and likewise one phone number) may hold.
    per_address_per_hour: int = 10
    per_address_per_day: int = 20
    per_id_number: int = 5
