# SPDX-License-Identifier: AGPL-3.0-or-later
"""Deliveries survive a receiving instance being down, and the sender being killed.

bob@B follows alice@A.  (1) B is stopped while alice posts and is started
again after COOPOL_FT_DOWNTIME seconds (default 60): the posts reach bob.
(2) A is SIGKILLed right after alice's post is accepted by the API, then
restarted: the post is still there and reaches bob (once with B up, once
with B down during the kill so the delivery cannot have happened before it).
"""

import time

import pytest

import harness
from harness import RETRY_TIMEOUT, ensure_following, home_find, unique, wait_for

CLUSTER = [["alice"], ["bob"]]

DOWNTIME = harness.env_float("COOPOL_FT_DOWNTIME", 60.0)


def _hold_down(down: harness.Instance, up: harness.Instance, seconds: float) -> None:
    """Keep ``down`` down for ``seconds`` (the scenario's outage), checking
    all along that it really is down and that ``up`` keeps answering."""
    session = harness.http_session()
    deadline = time.monotonic() + seconds
    while True:
        assert not harness.port_accepts(down.port), f"{down.domain} accepts connections while stopped"
        r = session.get(up.url("/api/v1/instance"), timeout=10)
        assert r.status_code == 200, f"{up.domain} answered {r.status_code} during the outage"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(1.0, remaining))


def _bob_follows_alice(A, B):
    ensure_following(B.api("bob"), A.acct("alice"))


def test_posts_reach_instance_that_was_down(cluster):
    A, B = cluster
    _bob_follows_alice(A, B)
    alice = A.api("alice")
    warm = alice.status_post(f"before the outage {unique()}", visibility="public")
    wait_for(lambda: home_find(B.api("bob"), warm["uri"]), what="alice's post in bob's home before the outage (control)")

    B.stop()
    posts = [
        alice.status_post(f"while B is down, public {unique()}", visibility="public"),
        alice.status_post(f"while B is down, followers-only {unique()}", visibility="private"),
    ]
    _hold_down(B, A, DOWNTIME)
    B.start()

    bob = B.api("bob")
    for st in posts:
        copy = wait_for(
            lambda: home_find(bob, st["uri"]),
            timeout=RETRY_TIMEOUT,
            what=f"alice's {st['visibility']} post {st['uri']} (made while B was down {DOWNTIME:.0f}s) in bob's home",
        )
        assert copy["visibility"] == st["visibility"]


@pytest.mark.parametrize("receiver", ["up", "down"])
def test_post_survives_sigkill_of_sender(cluster, receiver):
    A, B = cluster
    _bob_follows_alice(A, B)
    if receiver == "down":
        B.stop()
    st = A.api("alice").status_post(f"then A is killed ({receiver}) {unique()}", visibility="public")
    A.kill9()
    A.start()
    if receiver == "down":
        B.start()

    alice = A.api("alice")
    assert alice.status(st["id"])["uri"] == st["uri"], "alice's post is gone from A after the restart"
    bob = B.api("bob")
    wait_for(
        lambda: home_find(bob, st["uri"]),
        timeout=RETRY_TIMEOUT,
        what=f"alice's post {st['uri']} (A SIGKILLed right after posting, B {receiver}) in bob's home",
    )
