"""A flow run that sleeps until killed; heartbeats every 30 s (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``)."""

from __future__ import annotations

import time

from prefect import flow


@flow(name="zombie-candidate")
def zombie_candidate() -> None:
    print("zombie candidate running", flush=True)
    time.sleep(900)


if __name__ == "__main__":
    zombie_candidate()
