"""Runtime settings: command-line flags over environment variables over defaults."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ASYNC_MODES = ("eventlet", "threading")


class SettingsError(ValueError):
    """A setting has a value HallQ cannot use."""


@dataclass
class Settings:
    config: Path = REPO_ROOT / "config" / "hall.toml"
    db_url: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    async_mode: str = "eventlet"
    message_queue: str | None = None
    var_dir: Path = REPO_ROOT / "var"
    # False only for the demo and tests: issue tickets whatever the hour and the calendar say.
    enforce_hours: bool = True
    speech: bool = True
    printing: bool = True
    # Demo and training (`serve --clock-from`): the hall's clock starts at this moment and runs on
    # in real time, so a trainer can show a 9:00 rush or an appointment's slot in the evening.
    clock_from: datetime | None = None
    # Serve every hall file of the installation (the `halls/` folder beside `config`) from this
    # process as well as the config's own hall, each under /h/CODE/ (issue 16).
    all_halls: bool = False
    max_connections: int = 20000
    extra_origins: tuple[str, ...] = ()
    # Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: the client
    # address sign-in throttling counts by (docs/deployment.md, nginx).
    trusted_proxies: tuple[str, ...] = ()
    testing: bool = False
    # The approval platform's webhook (articles 10, 21): every case change is posted there.
    platform_webhook: str | None = None
    # The provincial 好差评 rating system's webhook: every rating and its follow-up is posted there.
    ratings_webhook: str | None = None
    # An SMS gateway's webhook: every case change the applicant is told of (docs/notifications.md).
    applicant_webhook: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.config = Path(self.config)
        self.var_dir = Path(self.var_dir)
        if not self.db_url:
            self.db_url = f"sqlite:///{self.var_dir / 'hallq.db'}"
        if self.async_mode not in ASYNC_MODES:
            raise SettingsError(f"async_mode {self.async_mode!r}: use one of {', '.join(ASYNC_MODES)}")
        if not 0 < int(self.port) < 65536:
            raise SettingsError(f"port {self.port!r} is not a TCP port")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(f"trusted proxy {proxy!r} is not an IP address or network") from None

    @classmethod
    def from_env(cls, **flags: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("HALLQ_CONFIG"):
            values["config"] = env["HALLQ_CONFIG"]
        if env.get("HALLQ_DB"):
            values["db_url"] = env["HALLQ_DB"]
        if env.get("HALLQ_MESSAGE_QUEUE"):
            values["message_queue"] = env["HALLQ_MESSAGE_QUEUE"]
        if env.get("HALLQ_ASYNC_MODE"):
            values["async_mode"] = env["HALLQ_ASYNC_MODE"]
        if env.get("HALLQ_VAR"):
            values["var_dir"] = env["HALLQ_VAR"]
        if env.get("HALLQ_PLATFORM_WEBHOOK"):
            values["platform_webhook"] = env["HALLQ_PLATFORM_WEBHOOK"].strip()
        if env.get("HALLQ_RATINGS_WEBHOOK"):
            values["ratings_webhook"] = env["HALLQ_RATINGS_WEBHOOK"].strip()
        if env.get("HALLQ_APPLICANT_WEBHOOK"):
            values["applicant_webhook"] = env["HALLQ_APPLICANT_WEBHOOK"].strip()
        if env.get("HALLQ_ALL_HALLS"):
            values["all_halls"] = env["HALLQ_ALL_HALLS"].strip().lower() in ("1", "true", "yes")
        if env.get("HALLQ_ORIGINS"):
            values["extra_origins"] = tuple(o.strip() for o in env["HALLQ_ORIGINS"].split(",") if o.strip())
        if env.get("HALLQ_TRUSTED_PROXIES"):
            values["trusted_proxies"] = tuple(
                p.strip() for p in env["HALLQ_TRUSTED_PROXIES"].split(",") if p.strip()
            )
        values.update({k: v for k, v in flags.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
