# SPDX-License-Identifier: AGPL-3.0-or-later
"""Apps built on megalodon (Whalebird and others) accept coopol.

megalodon picks its client from the server's NodeInfo: a software name it
knows, or ``metadata.upstream.name`` "mastodon"; anything else is refused as
"Unknown SNS" before the person can even sign in.  ``megalodon/app.mjs`` runs
the real library (pinned in ``megalodon/package-lock.json``, on Node 22, both
from the npm registry) the way such an app does: detect, register the app,
then read and write with a token.  Skipped with the reason when npm cannot
install it.
"""

import json
import subprocess

import pytest

import harness
import npm_node
from harness import unique, wait_for

CLUSTER = [["alice"]]

MEGALODON_DIR = harness.HERE / "megalodon"


@pytest.fixture(scope="session")
def megalodon():
    """Path of the Node 22 binary next to an installed megalodon."""
    return npm_node.node22_in(MEGALODON_DIR)


def run_app(node, inst, user: str, text: str) -> dict:
    res = subprocess.run(
        # coopol listens on 127.0.0.1 only; Node would try ::1 first for "localhost".
        [str(node), "--dns-result-order=ipv4first", str(MEGALODON_DIR / "app.mjs"),
         inst.base_url, inst.token(user), text],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=MEGALODON_DIR,
    )
    try:
        out = json.loads(res.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"megalodon/app.mjs exited {res.returncode}: {res.stdout[-500:]!r} {res.stderr[-2000:]}"
        )
    assert res.returncode == 0 and "error" not in out, f"megalodon failed: {out}"
    return out


def test_a_megalodon_app_detects_coopol_and_posts(cluster, megalodon):
    inst = cluster[0]
    text = f"from a megalodon app {unique('mg')}"
    seen = run_app(megalodon, inst, "alice", text)

    assert seen["sns"] == "mastodon", f"megalodon took coopol for {seen['sns']!r}"
    assert seen["authorizeUrl"].startswith(inst.url("/oauth/authorize")), seen["authorizeUrl"]
    assert seen["clientId"], seen
    assert seen["username"] == "alice", seen
    assert text in seen["posted"]["content"] and seen["posted"]["visibility"] == "public", seen
    assert seen["favourited"] is True, seen
    assert seen["posted"]["id"] in seen["homeIds"], "the app's own post is not in its home timeline"
    assert seen["instanceUri"] == inst.domain, seen

    # The same post, as any other Mastodon client sees it.
    api = inst.api("alice")
    status = wait_for(lambda: api.status(seen["posted"]["id"]), what="the post made through megalodon")
    assert text in status["content"] and status["favourited"] is True, status
