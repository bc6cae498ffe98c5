"""The `hallq` subcommands: serve, user, device, demo, db, printer, simulate."""

from __future__ import annotations

import argparse
import errno
import gc
import getpass
import json
import logging
import os
import resource
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path

from printers.sample import check_printer
from printers.urls import parse_printer_url
from server.app import accounts
from server.app.context import Services
from server.app.workcal import calendar_gaps
from server.core.errors import DomainError
from server.core.hall import PrinterProfile
from server.db.print_jobs_repo import AGENT_SCHEME
from server.hallconfig import HallConfigError, load_hall
from server.kiosk_agent import KioskAgent
from server.settings import ASYNC_MODES, Settings, SettingsError

log = logging.getLogger("hallq")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="hall config (TOML); default config/hall.toml, or HALLQ_CONFIG")
    p.add_argument("--db", help="database URL; default an SQLite file under var/, or HALLQ_DB")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hallq", description="HallQ: queue and counter system of a service hall")
    sub = top.add_subparsers(dest="cmd", required=True)

    serve = sub.add_parser("serve", help="run the server")
    _common(serve)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--async-mode", choices=ASYNC_MODES)
    serve.add_argument("--message-queue", help="redis://... to join several server processes")
    serve.add_argument("--any-hours", action="store_true", help="demo: issue tickets whatever the hour and day")
    serve.add_argument("--all-halls", action="store_true",
                       help="also serve every hall file in halls/ beside --config, each under /h/CODE/")
    serve.add_argument("--no-speech", action="store_true", help="do not synthesize announcements")
    serve.add_argument("--clock-from", type=_moment, metavar="ISO",
                       help="demo: run the hall's clock from this moment (e.g. 2026-12-07T09:40+08:00) in real time")

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="create a staff account; the password is read from standard input")
    _common(add)
    add.add_argument("name")
    add.add_argument("--role", required=True, help="window, chief, manager or admin")
    add.add_argument("--department")
    add.add_argument("--display-name", default="")
    add.add_argument("--staff-no", default="")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--hall", metavar="CODE",
                       help="the hall the account belongs to (default: the hall of the config); it signs in there only")
    where.add_argument("--all-halls", action="store_true",
                       help="an account of the whole installation (a city's manager or admin): "
                            "it signs in at every hall")
    _common(user.add_parser("list", help="every account: role, department, disabled, failed sign-ins, last sign-in"))
    for action, text in (
        ("unlock", "forget the failed sign-ins counted against an account"),
        ("disable", "refuse the account's sign-ins and revoke its tokens now"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "set a new password, read from standard input; revokes the account's tokens"),
    ):
        one = user.add_parser(action, help=text)
        _common(one)
        one.add_argument("name")

    device = sub.add_parser("device", help="kiosks, displays and agents").add_subparsers(dest="action", required=True)
    dadd = device.add_parser("add", help="register a device; prints its key on the last line")
    _common(dadd)
    dadd.add_argument("name")
    dadd.add_argument("--kind", required=True, help=", ".join(accounts.DEVICE_KINDS))
    dadd.add_argument("--printer", help="kiosk printer: tcp://host:9100, file:///path or agent:// (hallq kiosk-agent)")
    dadd.add_argument(
        "--settings", type=_json_object, default=None,
        help='JSON, e.g. a display\'s zone and windows: \'{"zone": "2F", "windows": ["1", "2"]}\'',
    )
    drev = device.add_parser("revoke", help="revoke a device's key")
    _common(drev)
    drev.add_argument("name")

    window = sub.add_parser("window", help="windows").add_subparsers(dest="action", required=True)
    wprint = window.add_parser("set-printer", help="the printer of a window's slips, over the hall config's")
    _common(wprint)
    wprint.add_argument("window", help="window id, as in the hall config")
    wprint.add_argument("url", help='printer URL: tcp://HOST:9100, usb://VID:PID, dummy://NAME...; "-": the config\'s')

    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    _common(db.add_parser("upgrade", help="create or upgrade the database"))

    agent = sub.add_parser("kiosk-agent", help="print a kiosk's tickets on its USB or serial printer")
    agent.add_argument("--server", required=True, help="http://server:5000")
    agent.add_argument("--key", required=True, help="the kiosk's device key (its printer is agent://)")
    agent.add_argument("--printer", required=True, help="usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600, ...")

    printer = sub.add_parser("printer", help="receipt printers").add_subparsers(dest="action", required=True)
    ptest = printer.add_parser("test", help="print a sample ticket and report the printer's status")
    _common(ptest)
    ptest.add_argument("url", help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600, file:///path")
    ptest.add_argument("--profile", default="default", help="printer profile of the hall config (paper, QR, cut)")

    demo = sub.add_parser("demo", help="the demo hall").add_subparsers(dest="action", required=True)
    seed = demo.add_parser("seed", help="create demo staff and devices (demo database only) and print them")
    _common(seed)

    sim = sub.add_parser("simulate", help="replay a hall day and measure the waiting-time estimates (docs/simulate.md)")
    sim.add_argument("--scenario", required=True, help="scenario TOML, e.g. config/scenarios/normal-day.toml")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--out", required=True, help="folder for report.json, chart.png, tickets.csv, sim.db")
    return top


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("give a JSON object, e.g. {\"zone\": \"2F\"}")
    return value


def _moment(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date and time, e.g. 2026-12-07T09:40+08:00") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset: write it as 2026-12-07T09:40+08:00")
    return at


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        config=getattr(args, "config", None),
        db_url=getattr(args, "db", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        async_mode=getattr(args, "async_mode", None),
        message_queue=getattr(args, "message_queue", None),
        enforce_hours=False if getattr(args, "any_hours", False) else None,
        speech=False if getattr(args, "no_speech", False) else None,
        clock_from=getattr(args, "clock_from", None),
        all_halls=True if getattr(args, "all_halls", False) else None,
    )


def services_for(settings: Settings) -> Services:
    from server.bootstrap import command_services

    return command_services(settings)


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.cmd == "serve":
            return serve(settings)
        if args.cmd == "kiosk-agent":
            parse_printer_url(args.printer)
            KioskAgent(args.server, args.key, args.printer).run()
            return 0
        if args.cmd == "printer":
            return printer_test(settings, args.url, args.profile)
        if args.cmd == "simulate":
            return simulate_command(args.scenario, args.seed, args.out)
        svc = services_for(settings)
        if args.cmd == "user":
            user_command(svc, args)
        elif args.cmd == "device" and args.action == "add":
            if args.printer and args.printer != AGENT_SCHEME:
                parse_printer_url(args.printer)
            key = accounts.add_device(svc, args.name, args.kind, printer=args.printer, settings=args.settings)
            print(f"device {args.name} ({args.kind}) registered; its key (shown once):")
            print(key)
        elif args.cmd == "device" and args.action == "revoke":
            accounts.revoke_device(svc, args.name)
            print(f"device {args.name} revoked")
        elif args.cmd == "window" and args.action == "set-printer":
            from server.app.acceptance import set_window_printer
            from server.db.uow import Actor

            url = None if args.url.strip() in ("-", "") else args.url
            now = set_window_printer(svc, Actor("cli", None, "hallq window"), args.window, url)
            print(f"window {args.window} prints on {now or 'no printer'}")
        elif args.cmd == "db":
            print(f"database at {settings.db_url} is up to date")
        elif args.cmd == "demo":
            from server.demo import seed

            seed(svc, settings)
        return 0
    except (HallConfigError, SettingsError, DomainError, ValueError) as exc:
        print(f"hallq: {exc}", file=sys.stderr)
        return 2


def simulate_command(scenario: str, seed: int, out: str) -> int:
    from server.sim.run import run as simulate
    from server.sim.scenario import ScenarioError

    try:
        report = simulate(scenario, seed, out)
    except ScenarioError as exc:
        print(f"hallq: {exc}", file=sys.stderr)
        return 2
    preds = report["predictors"]
    print(f"{report['scenario']} (seed {seed}): {report['tickets']} tickets, {report['scored']} scored; "
          "median absolute error at issue:")
    for name, p in preds.items():
        extra = f", range covers {100 * p['range_coverage']:.0f}%" if "range_coverage" in p else ""
        print(f"  {name:13} {p['median_abs_error_s']:7.0f} s  within ±20%: {100 * p['within_20pct']:.0f}%{extra}")
    print(f"report: {Path(out) / 'report.json'}")
    return 0


def user_command(svc: Services, args: argparse.Namespace) -> None:
    if args.action == "add":
        password = _read_password()
        uid = accounts.add_user(svc, args.name, password, args.role, args.department, args.display_name,
                                args.staff_no, hall=args.hall, all_halls=args.all_halls)
        where = "every hall" if args.all_halls else f"hall {args.hall or svc.hall.code}"
        print(f"user {args.name} ({args.role}) created with id {uid}, for {where}")
    elif args.action == "list":
        print(_users_table(accounts.list_users(svc)))
    elif args.action == "unlock":
        accounts.unlock_user(svc, args.name)
        print(f"user {args.name}: failed sign-ins forgotten")
    elif args.action in ("disable", "enable"):
        revoked = accounts.set_disabled(svc, args.name, args.action == "disable")
        print(f"user {args.name} {args.action}d" + (f"; {revoked} token(s) revoked" if revoked else ""))
    elif args.action == "reset-password":
        revoked = accounts.reset_password(svc, args.name, _read_password())
        print(f"user {args.name}: password reset; {revoked} token(s) revoked")


def _users_table(users: list[dict]) -> str:
    def when(value: object) -> str:
        return value.isoformat(timespec="seconds") if value else "-"  # type: ignore[attr-defined]

    head = ("name", "role", "department", "disabled", "failures", "slowed until", "last sign-in")
    rows = [head] + [
        (u["username"], u["role"], u["department"] or "-", "yes" if u["disabled"] else "no", str(u["failures"]),
         when(u["slowed_until"]), when(u["last_login"]))
        for u in users
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def printer_test(settings: Settings, url: str, profile_name: str) -> int:
    hall = load_hall(settings.config)
    profile = hall.printer_profile(profile_name) or (
        PrinterProfile("default") if profile_name == "default" else None
    )
    if profile is None:
        names = ", ".join(p.name for p in hall.printer_profiles)
        raise ValueError(f"unknown printer profile {profile_name!r}; the hall config has {names}")
    check = check_printer(url, profile)
    print(check.report())
    return 0 if check.ok else 1


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the passwords differ")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def port_free(host: str, port: int) -> bool:
    """eventlet.listen sets SO_REUSEPORT, so a second server would start and steal requests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR, like the server's own listener: the connections of a server that just
        # stopped linger in TIME_WAIT and must not block its restart; a live listener still does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, wanted + 256)) if hard != resource.RLIM_INFINITY else max(soft, wanted + 256)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(settings: Settings) -> int:
    from server.bootstrap import build

    if not port_free(settings.host, settings.port):
        print(f"hallq: port {settings.port} on {settings.host} is taken; is HallQ already running?", file=sys.stderr)
        return 2
    hq = build(settings)
    _raise_file_limit(settings.max_connections)

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping", signum)
        hq.publisher.stop()
        # Whatever happens below, the process ends within STOP_GRACE_S of the signal.
        signal.signal(signal.SIGALRM, _give_up)
        signal.alarm(STOP_GRACE_S)
        if settings.async_mode == "eventlet":
            _stop_eventlet(hq.socketio, main_greenlet)
            return
        raise SystemExit(0)

    main_greenlet = None
    if settings.async_mode == "eventlet":
        import greenlet

        main_greenlet = greenlet.getcurrent()
    signal.signal(signal.SIGTERM, _stop)
    settle_garbage_collection()
    log.info("HallQ serving %s on http://%s:%s (%s)", hq.services.hall.name, settings.host, settings.port,
             settings.async_mode)
    for other in list(hq.halls)[1:]:
        log.info("  and %s (%s) under http://%s:%s/h/%s/", other.services.hall.name, other.services.hall.code,
                 settings.host, settings.port, other.services.hall.code)
    if gaps := calendar_gaps(hq.services.hall, hq.services.today()):
        log.warning("calendar: %s", gaps["message"])
    from server.wsgi_limits import server_options

    kwargs: dict = {"host": settings.host, "port": settings.port, "log_output": False}
    if settings.async_mode == "eventlet":
        kwargs["max_size"] = settings.max_connections
    else:
        kwargs["allow_unsafe_werkzeug"] = True
    kwargs.update(server_options(settings.async_mode))  # slow, oversized and malformed requests
    try:
        hq.socketio.run(hq.app, **kwargs)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        hq.publisher.stop()
        if hq.services.speech is not None:
            hq.services.speech.close()
        hq.services.engine.dispose()
        log.info("HallQ stopped")
    return 0


STOP_GRACE_S = 8


def _give_up(_signum: int, _frame: object) -> None:
    # Committed changes are on disk (synchronous=FULL); what is left is open connections.
    log.warning("still stopping after %s s; exiting now", STOP_GRACE_S)
    os._exit(0)


# Objects made and not yet freed that start a young collection; Python's default is 700. A call
# sends five events to each of a thousand displays: at 700, the sockets' queued packets were still
# alive at each young collection and were promoted, the old generation filled with them, and a full
# collection (60-120 ms with the displays' own objects) ran every ten seconds or so, stalling
# whichever call met it. At 10,000 they die by their reference counts first; full collections keep
# Python's own rules and come when old objects really pile up (docs/performance.md).
YOUNG_COLLECTION_AFTER = 10_000


def settle_garbage_collection() -> None:
    """Once the server is built: start-up objects (config, app, SQLAlchemy metadata) never die, so
    they are frozen out of every collection (field notes: broadcast p99 250 → 60 ms), and young
    collections come less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)


def _stop_eventlet(socketio: object, main_greenlet: object) -> None:
    """SIGTERM under eventlet, from the signal handler.

    Raising SystemExit in the handler lands in whichever greenthread runs at that moment (a
    request half-way through), and eventlet's WSGI server then waits for every request still
    open, a long-polling Socket.IO client's for up to ping_interval + ping_timeout (8-20 s
    measured under load, sometimes longer). So a greenthread of its own first closes every
    Socket.IO connection without waiting (the long polls answer at once), then stops the
    server's accept loop in the main greenlet; requests in flight finish normally.
    """
    from eventlet import spawn_after
    from eventlet.hubs import get_hub

    def shutdown() -> None:
        eio = socketio.server.eio  # type: ignore[attr-defined]
        for sock in list(eio.sockets.values()):
            try:
                sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
            except Exception:  # noqa: BLE001 - one broken connection must not stop the shutdown
                log.exception("closing a Socket.IO connection failed")
        eio.sockets = {}
        get_hub().schedule_call_global(0, main_greenlet.throw, SystemExit(0))  # type: ignore[attr-defined]

    spawn_after(0, shutdown)


def var_path(settings: Settings, name: str) -> Path:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return settings.var_dir / name
