# SPDX-License-Identifier: AGPL-3.0-or-later
"""Node 22 and JavaScript libraries for the tests that run another implementation's code.

A folder with a ``package.json`` and ``package-lock.json`` (``fedify/``,
``megalodon/``) pins the npm package ``node`` (Node 22) beside the library it
tests with.  ``node22_in`` installs it with ``npm ci`` on first use, and again
only when one of those two files changes (a hash in
``node_modules/.coopol-stamp``).  Without npm, or when the install fails, the
test is skipped with the reason: the libraries come from the npm registry.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

import harness

INSTALL_TIMEOUT = harness.env_float("COOPOL_FT_NPM_TIMEOUT", 300.0)


def _wanted_stamp(folder: Path) -> str:
    data = (folder / "package.json").read_bytes() + (folder / "package-lock.json").read_bytes()
    return hashlib.sha256(data).hexdigest()


def node22_in(folder: Path) -> Path:
    """Path of the Node 22 binary installed in ``folder/node_modules``, installing it first."""
    node = folder / "node_modules" / ".bin" / "node"
    stamp = folder / "node_modules" / ".coopol-stamp"
    want = _wanted_stamp(folder)
    if node.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return node
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: cannot install {folder.name}/package.json")
    try:
        res = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"`npm ci` in {folder} took more than {INSTALL_TIMEOUT:.0f}s")
    if res.returncode != 0 or not node.exists():
        pytest.skip(f"`npm ci` in {folder} failed ({res.returncode}): {res.stderr.strip()[-800:]}")
    try:
        version = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"the Node installed by npm (package `node`) does not run: {exc}")
    if version.returncode != 0 or not version.stdout.startswith("v22."):
        pytest.skip(
            f"the Node installed by npm (package `node`) is not Node 22: "
            f"{version.stdout.strip()!r} {version.stderr.strip()[-300:]!r}"
        )
    stamp.write_text(want + "\n")
    return node
