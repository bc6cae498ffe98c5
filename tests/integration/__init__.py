"""Tests against real `hallq serve` processes (and, where available, PostgreSQL and Redis)."""
