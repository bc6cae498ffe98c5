"""CPU accounting from /proc: the servers measured, the bench's own clients, and everything else."""

from __future__ import annotations

import os
import resource
import time

CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def _machine_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over all cores."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals) - idle) / CLK, sum(vals) / CLK


class CpuMeter:
    """CPU used by the servers under test, by our own load processes, and by everything else.

    The machine may be shared: "others" (busy CPU not ours) says how much of it was taken by
    work outside the bench while a figure was measured."""

    def __init__(self, pids: list[int], client_pids: list[int] | None = None) -> None:
        """`pids`: the servers measured; `client_pids`: our own load processes still running."""
        self.pids = pids
        self.client_pids = client_pids or []
        self.clients0 = [proc_cpu_s(p) for p in self.client_pids]
        self.t0 = time.monotonic()
        self.servers0 = [proc_cpu_s(p) for p in pids]
        self.busy0, self.total0 = _machine_s()
        self.ours0 = self._ours()

    @staticmethod
    def _ours() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def stop(self) -> dict[str, float]:
        wall = max(1e-9, time.monotonic() - self.t0)
        server = sum(proc_cpu_s(p) - s0 for p, s0 in zip(self.pids, self.servers0, strict=True))
        busy, _ = _machine_s()
        clients = sum(proc_cpu_s(p) - c0 for p, c0 in zip(self.client_pids, self.clients0, strict=True))
        ours = self._ours() - self.ours0 + server + clients
        return {
            "wall_s": round(wall, 2),
            "server_cpu_s": round(server, 3),
            "server_cores": round(server / wall, 2),
            "machine_busy_cores": round((busy - self.busy0) / wall, 2),
            "others_cores": round(max(0.0, (busy - self.busy0) - ours) / wall, 2),
        }
