"""The Dask executor leaves PostgreSQL exactly as a local run does, even when a worker dies mid-run.

Needs the optional extra (`pip install '.[dask]'`; CI installs it) and PostgreSQL (the fixtures skip or,
on CI, fail when it is absent).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="dask[distributed] is not installed: pip install '.[dask]'")

import dask  # noqa: E402
from dask.distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

pytestmark = pytest.mark.postgres
RUN_TIMEOUT = 240
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _etl(etl_bin: list[str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*etl_bin, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT)


def test_the_comparisons_include_the_corpus_sample(scaleout_input: Path):
    """Says so (a skip with the reason) when the shared corpus is absent and only seeds are compared."""
    missing = [part for part in ("news", "laws") if not (CORPUS / part).is_dir()]
    if missing:
        pytest.skip(f"no {' or '.join(missing)} under {CORPUS}: the Dask runs are compared on seeds and their copies only")
    assert any((scaleout_input / "news").iterdir()) and any((scaleout_input / "laws").rglob("*.md"))


def test_dask_local_cluster_matches_local_run(etl_bin, scaleout_input: Path, local_baseline,
                                              fresh_database: Callable[[], str], snapshot_of, same_database):
    """`etl run --executor dask --workers 2`: a LocalCluster of 2 processes, same rows, same ids."""
    url = fresh_database()
    done = _etl(etl_bin, "run", str(scaleout_input), "--db", url, "--executor", "dask", "--workers", "2",
                "--json", "--quiet")
    assert done.returncode in (0, 3), done.stderr[-3000:]  # 3: partial (some files failed, same as local)
    same_database(snapshot_of(url), local_baseline)


def test_killed_worker_loses_and_duplicates_nothing(etl_bin, scaleout_input: Path, local_baseline,
                                                     fresh_database: Callable[[], str], snapshot_of,
                                                     same_database):
    """SIGKILL a worker while it runs a batch: Dask re-runs the batch elsewhere, the run completes whole."""
    url = fresh_database()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        pids: dict[str, int] = client.run(os.getpid)
        spec = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        proc = subprocess.Popen([*etl_bin, "run", str(scaleout_input), "--db", url, "--executor", spec,
                                 "--json", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed: str | None = None
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while killed is None and proc.poll() is None and time.monotonic() < deadline:
                for address, keys in client.processing().items():
                    if any(str(k).startswith("etl-batch") for k in keys) and address in pids:
                        os.kill(pids[address], signal.SIGKILL)
                        killed = address
                        break
                time.sleep(0.02)
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
        assert killed is not None, f"the run ended before a worker could be killed:\n{err[-2000:]}"
        assert proc.returncode in (0, 3), err[-3000:]
        assert pids[killed] not in client.run(os.getpid).values(), "the killed worker is still alive"
        lost = [key for _, event in cluster.scheduler.get_events(killed)
                if isinstance(event, dict) and event.get("action") == "remove-worker"
                for key in (*event.get("processing-tasks", ()), *event.get("lost-computed-tasks", ()))]
        assert any(str(k).startswith("etl-batch") for k in lost), "the scheduler re-ran no batch of the killed worker"
    same_database(snapshot_of(url), local_baseline)


class DeadlyFile(WorkerPlugin):
    """On every worker, restarted ones too: the transform of the file named `name` kills its worker process."""

    def __init__(self, name: str):
        self.name = name

    def setup(self, worker) -> None:
        import etl.transform

        real, name = etl.transform.transform_document, self.name

        def deadly(data: bytes, source_path: str, *, sha256: str | None = None):
            if source_path.endswith(name):
                os.kill(os.getpid(), signal.SIGKILL)
            return real(data, source_path, sha256=sha256)

        etl.transform.transform_document = deadly


def test_a_file_that_kills_its_workers_is_recorded_and_the_run_goes_on(etl_bin, tmp_path: Path,
                                                                       fresh_database: Callable[[], str]):
    """Its batch dies more often than the scheduler allows (KilledWorker): its files are run one by one,
    the one that kills its worker again is recorded as failed, the others load."""
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree / "seeds")
    victim = tree / "extra" / "deadly-notice.txt"
    victim.parent.mkdir(parents=True)
    victim.write_text("关于开展医保基金监管专项检查的通知\n\n追回医保基金120万元。\n", encoding="utf-8")
    url = fresh_database()
    with (dask.config.set({"distributed.scheduler.allowed-failures": 0}),  # one death is enough: a faster test
          LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                       silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client):
        client.register_plugin(DeadlyFile(victim.name))
        spec = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        done = _etl(etl_bin, "run", str(tree), "--db", url, "--executor", spec)
    assert done.returncode == 3, done.stderr[-3000:]  # completed, some files failed
    assert "new 5" in done.stdout and "failed 1" in done.stdout, done.stdout
    assert f"{victim.name}  [transform] the worker process transforming this file died" in done.stdout
    engine = create_engine(url)
    with engine.connect() as conn:
        failed = conn.execute(text("SELECT source_path FROM failed_files")).scalars().all()
        loaded = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
    engine.dispose()
    assert [p.rsplit("/", 1)[-1] for p in failed] == [victim.name] and loaded == 5
