# SPDX-License-Identifier: AGPL-3.0-or-later
"""Streaming with Mastodon.py: alice@A listens to her user stream (server-sent
events) and to the public stream; a post bob@B makes reaches her, and a
notification arrives when bob favourites her post."""

import threading
import time
from types import SimpleNamespace

import pytest
from mastodon import StreamListener

from harness import ensure_following, unique, wait_for

CLUSTER = [["alice"], ["bob"]]


class Recorder(StreamListener):
    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def _add(self, kind, payload):
        with self.lock:
            self.events.append((time.monotonic(), kind, payload))

    def on_update(self, status):
        self._add("update", status)

    def on_notification(self, notification):
        self._add("notification", notification)

    def on_delete(self, status_id):
        self._add("delete", str(status_id))

    def find(self, kind, pred):
        with self.lock:
            for t, k, p in self.events:
                if k == kind and pred(p):
                    return t, p
        return None


@pytest.fixture(scope="module")
def net(cluster):
    A, B = cluster
    return SimpleNamespace(A=A, alice=A.api("alice"), bob=B.api("bob"), alice_acct=A.acct("alice"),
                           bob_acct=B.acct("bob"))


def test_a_remote_post_reaches_a_connected_client(net):
    ensure_following(net.alice, net.bob_acct)
    rec = Recorder()
    handle = net.alice.stream_user(rec, run_async=True, reconnect_async=False)
    try:
        wait_for(lambda: handle.is_receiving(), what="the user stream to open")
        time.sleep(0.2)  # the connection subscribes to events once its response has started
        text = unique("stream")
        sent = time.monotonic()
        post = net.bob.status_post(text + " #coopol")
        t, status = wait_for(lambda: rec.find("update", lambda s: s["uri"] == post["uri"]),
                             what="bob's post on alice's user stream")
        assert status["account"]["acct"] == net.bob_acct
        print(f"remote post streamed {t - sent:.2f}s after bob posted")
        assert t - sent < 1.0, "a federated post must reach a connected client within a second"

        net.bob.status_delete(post["id"])
        wait_for(lambda: rec.find("delete", lambda i: i == str(status["id"])), what="the delete on the stream")

        mine = net.alice.status_post(unique("fav me"))
        found = wait_for(lambda: net.bob.search_v2(mine["uri"], resolve=True)["statuses"], what="bob sees the post")
        net.bob.status_favourite(found[0]["id"])
        _, n = wait_for(lambda: rec.find("notification", lambda n: n["type"] == "favourite"),
                        what="the favourite notification on the stream")
        assert n["account"]["acct"] == net.bob_acct
    finally:
        handle.close()


def test_the_public_stream_skips_followers_only_posts(net):
    rec = Recorder()
    handle = net.alice.stream_public(rec, run_async=True, reconnect_async=False)
    try:
        wait_for(lambda: handle.is_receiving(), what="the public stream to open")
        time.sleep(0.2)
        hidden = net.bob.status_post(unique("private"), visibility="private")
        shown = net.bob.status_post(unique("public"))
        wait_for(lambda: rec.find("update", lambda s: s["uri"] == shown["uri"]), what="the public post")
        assert rec.find("update", lambda s: s["uri"] == hidden["uri"]) is None
    finally:
        handle.close()
