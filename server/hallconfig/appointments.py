"""The hall file's `[appointments]` (预约, article 21; server/core/appointments.py).

    [appointments]
    enabled = true
    slot_minutes = 30            # length of a bookable slot
    walk_in_share = 0.6          # share of the planned window time never offered for booking
    horizon_days = 7             # bookable up to this many calendar days ahead
    daily_cap = 40               # bookings of one item on one day, at most
    check_in_before_minutes = 30 # the kiosk checks a booking in from this long before its slot
    grace_minutes = 15           # ... until this long after its start; later it is a no-show
    late_walk_in = true          # a late visitor is given an ordinary number at once
    call_share = 0.5             # appointment tickets jumping walk-ins: at most this share of calls
    no_show_limit = 3            # this many no-shows ...
    no_show_period_days = 30     # ... within this many days ...
    suspend_days = 30            # ... suspend booking for this many days
    per_address_per_hour = 10    # bookings one client address may make per hour
    per_address_per_day = 20     # ... and per day (any 24 hours)
    per_id_number = 5            # active bookings one ID number (and one phone number) may hold

Without the section the hall takes bookings with these values.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from server.core.appointment_rules import AppointmentRules

from .fields import Model

_D = AppointmentRules()


class AppointmentsIn(Model):
    enabled: bool = _D.enabled
    slot_minutes: int = Field(_D.slot_minutes, ge=5, le=240)
    walk_in_share: float = Field(_D.walk_in_share, ge=0, lt=1)
    horizon_days: int = Field(_D.horizon_days, ge=0, le=90)
    daily_cap: int = Field(_D.daily_cap, ge=1, le=10_000)
    check_in_before_minutes: int = Field(_D.check_in_before_minutes, ge=0, le=240)
    grace_minutes: int = Field(_D.grace_minutes, ge=0, le=120)
    late_walk_in: bool = _D.late_walk_in
    call_share: float = Field(_D.call_share, gt=0, le=1)
    no_show_limit: int = Field(_D.no_show_limit, ge=0, le=100)
    no_show_period_days: int = Field(_D.no_show_period_days, ge=1, le=365)
    suspend_days: int = Field(_D.suspend_days, ge=1, le=365)
    per_address_per_hour: int = Field(_D.per_address_per_hour, ge=1, le=10_000)
    per_address_per_day: int = Field(_D.per_address_per_day, ge=1, le=100_000)
    per_id_number: int = Field(_D.per_id_number, ge=1, le=100)

    @model_validator(mode="after")
    def _grace_within_slot(self) -> AppointmentsIn:
        if self.grace_minutes >= self.slot_minutes:
            raise ValueError(
                f"grace_minutes ({self.grace_minutes}) must be shorter than slot_minutes ({self.slot_minutes}): "
                "a visitor that late would be called after the slot is over"
            )
        return self

    def to_core(self) -> AppointmentRules:
        return AppointmentRules(**self.model_dump())
