"""The hall's configuration: one TOML file read into `server.core.hall.Hall`, checked so that a
hall admin's mistake is refused at start with a message saying where and what, never met later
by a visitor at the kiosk."""

from .loader import DEFAULT_CONFIG, HallConfigError, load_hall, loads_hall

__all__ = ["DEFAULT_CONFIG", "HallConfigError", "load_hall", "loads_hall"]
