"""Request bodies of the appointment routes (server.web.api_appointments). Only the shape is
checked here; what an ID number, a mobile number and a slot are is the core's rule, answered with
a 400 naming the field."""

from __future__ import annotations

from pydantic import Field

from .bodies import SOME_TEXT, Body


class BookingApplicant(Body):
    name: str = Field(min_length=1, max_length=64, json_schema_extra=SOME_TEXT, description="the applicant's name")
    id_number: str = Field(min_length=1, max_length=32,
                           description="居民身份证号码, 18 characters, checked in full (check digit)")
    phone: str = Field(min_length=1, max_length=20, description="a mobile number, 11 digits (+86 may lead)")


class Book(Body):
    item: str = Field(min_length=1, max_length=32, json_schema_extra=SOME_TEXT, description="service item code")
    start: str = Field(min_length=1, max_length=40,
                       description="the slot's start as GET /api/v1/appointments/slots gives it (ISO 8601 with offset)",
                       examples=["2026-11-26T09:00:00+08:00"])
    applicant: BookingApplicant


class CancelBooking(Body):
    last4: str = Field(min_length=1, max_length=16, description="the last four characters of the applicant's ID "
                       "number or phone; an ID number's may end in X")
