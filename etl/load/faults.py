"""Named points in a run where a test can inject a fault, so that races and crashes are tested
deterministically instead of by timing.

$ETL_TEST_FAULT is POINT:ACTION. ACTION is `kill` (SIGKILL this process, as the OOM killer would),
`raise` (an InjectedFault), or `wait=PATH` (create PATH.reached, then wait until PATH exists: the test
acts while the run stands still at POINT, then lets it go on). Unset, a point costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
import time

FAULT_ENV = "ETL_TEST_FAULT"
WAIT_LIMIT_SECONDS = 300.0  # a test that never lets go does not hang the run for ever


class InjectedFault(RuntimeError):
    """Raised at a fault point by $ETL_TEST_FAULT=POINT:raise."""


def fault_point(name: str) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    point, _, action = spec.partition(":")
    if point != name:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("wait="):
        path = action[len("wait="):]
        with open(f"{path}.reached", "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.02)
    else:
        raise InjectedFault(f"fault injected at {name}")
