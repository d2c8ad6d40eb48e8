# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures: backends, clusters of coopol instances, log tails on failure."""

from __future__ import annotations

import os
import shutil
import signal
import time

import pytest

import harness
import remote_actor as ra

POSTGRES_URL_VAR = "COOPOL_TEST_POSTGRES_URL"

_run_dir = None
_any_failure = False


def pytest_configure(config):
    harness.install_loopback_guard()

    # A SIGTERM to the runner becomes a KeyboardInterrupt, so fixtures tear
    # down and every coopol process is stopped.
    def _on_sigterm(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not in the main thread
        pass


KEEP_RUNS = 10  # failed runs' directories kept under .work/


def _get_run_dir():
    global _run_dir
    if _run_dir is None:
        harness.WORK_ROOT.mkdir(parents=True, exist_ok=True)
        old = sorted(p for p in harness.WORK_ROOT.glob("run-*") if p.is_dir())
        for stale in old[: max(0, len(old) - (KEEP_RUNS - 1))]:
            shutil.rmtree(stale, ignore_errors=True)
        _run_dir = harness.WORK_ROOT / time.strftime(f"run-%Y%m%d-%H%M%S-{os.getpid()}")
        _run_dir.mkdir(parents=True, exist_ok=True)
    return _run_dir


@pytest.fixture(scope="session")
def run_dir():
    """Directory under federation-tests/.work/ for this pytest run."""
    return _get_run_dir()


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url:
        return None
    return harness.PostgresServer(url)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request):
    if request.param == "postgres" and not os.environ.get(POSTGRES_URL_VAR):
        pytest.skip(f"{POSTGRES_URL_VAR} is not set")
    return request.param


@pytest.fixture(scope="module")
def cluster(request, backend, run_dir, postgres_server):
    """Instances for this test module, as given by its ``CLUSTER`` list.

    ``CLUSTER = [["alice"], ["bob"], ["carol"]]`` starts three instances with
    those local users.  Module-scoped: tests in a module share it.
    """
    users = getattr(request.module, "CLUSTER", [["alice"], ["bob"]])
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    workdir = run_dir / f"{label}-{backend}"
    workdir.mkdir(parents=True, exist_ok=True)
    c = harness.start_cluster(users, workdir, backend, postgres_server, label="")
    yield c
    problems = c.close()
    if problems:
        pytest.fail("shutting the cluster down went wrong:\n" + "\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    global _any_failure
    if report.failed:
        _any_failure = True
        seen = set()
        instances = []
        cl = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
        for inst in list(cl or []) + harness.live_instances():
            if id(inst) not in seen:
                seen.add(id(inst))
                instances.append(inst)
        for inst in instances:
            report.sections.append(
                (
                    f"coopol {inst.label} {inst.domain} ({inst.backend}) log tail — {inst.log_path}",
                    inst.log_tail(60),
                )
            )
    return report


def pytest_sessionfinish(session, exitstatus):
    harness.kill_all()
    keep = os.environ.get("COOPOL_FT_KEEP_WORK") == "1"
    if _run_dir is not None and exitstatus == 0 and not _any_failure and not keep:
        shutil.rmtree(_run_dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _run_dir is not None and _run_dir.exists():
        terminalreporter.write_line(f"coopol logs and data kept in {_run_dir}")


@pytest.fixture(scope="module")
def remote():
    """A signing ActivityPub server in Python (remote_actor.py), one per test module."""
    with ra.RemoteServer() as server:
        yield server
