"""The demo city's seed (`make run-city`): each hall's kiosk prints into a file of its own, and
seeding again keeps the keys the halls' devices were given."""

from __future__ import annotations

from server.app.context import Services
from server.bootstrap import open_database
from server.db import accounts_repo
from server.demo import seed
from server.hallconfig import DEFAULT_CONFIG, load_hall
from server.settings import Settings

CONFIGS = [DEFAULT_CONFIG, DEFAULT_CONFIG.parent / "halls" / "east.toml", DEFAULT_CONFIG.parent / "halls" / "west.toml"]


def test_each_halls_demo_kiosk_prints_into_its_own_file(tmp_path, capsys):
    printers: dict[str, str] = {}
    for config in CONFIGS:
        settings = Settings(config=config, var_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'hallq.db'}", testing=True)
        hall = load_hall(config)
        svc = Services(hall=hall, engine=open_database(settings, hall.code))
        keys = seed(svc, settings)["devices"]
        assert seed(svc, settings)["devices"] == keys  # seeding again changes nothing
        with svc.read() as uow:
            printers.update({d.name: d.printer for d in accounts_repo.list_devices(uow.conn)
                             if d.printer and d.revoked_at is None})
        svc.engine.dispose()
    assert printers == {name: f"file://{tmp_path}/{name}-printer.bin"
                        for name in ("kiosk-1", "east-kiosk-1", "west-kiosk-1")}
