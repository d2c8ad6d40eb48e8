# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outside development mode, coopol never reaches loopback peers (no SSRF).

Instance P runs WITHOUT development mode (no COOPOL_DEV): it names itself
``localhost:PORT``, mints https URLs, warns that this is a strange
production setup, but serves its API over plain http on loopback, so a
client with a bearer token can use it.  A Python server (remote_actor.py) on
127.0.0.1 counts every TCP connection and HTTP request it gets.

P, asked by its user to resolve handles or URLs that lead to loopback (by
name, by IP literal in several spellings, by a host name that resolves to
127.0.0.1), finds nothing and sends not a single byte to the Python server.
A signed Follow whose key lives there is refused without fetching the key.
As positive controls, P's search works for its own accounts, and instance B,
in development mode, does reach the Python server for the same handle.
"""

import socket
import urllib.parse

import pytest

import harness
import remote_actor as ra

CLUSTER = [["bob"]]  # B: development mode, for the positive control


@pytest.fixture(scope="module")
def prod(cluster, backend, run_dir, postgres_server):
    workdir = run_dir / f"ssrf-{backend}"
    workdir.mkdir(parents=True, exist_ok=True)
    inst = harness.Instance("P", workdir, backend, postgres_server, dev=False)
    try:
        inst.start()
        inst.create_user("alice")
        yield inst
    finally:
        problems = inst.close()
    if problems:
        pytest.fail("shutting P down went wrong:\n" + "\n".join(problems), pytrace=False)


def loopback_hostname() -> str | None:
    """This machine's host name, if it resolves (over IPv4) to 127.0.0.0/8 only."""
    name = socket.gethostname()
    if not name or name == "localhost" or name.endswith(".localhost"):
        return None
    try:
        addrs = {ai[4][0] for ai in socket.getaddrinfo(name, None, socket.AF_INET)}
    except OSError:
        return None
    if addrs and all(harness.is_loopback_host(a) for a in addrs):
        return name
    return None


def _nothing_reached(remote, before, what):
    after = remote.traffic()
    assert after == before, (
        f"{what}: the Python server on 127.0.0.1 got {after[0] - before[0]} connection(s) and "
        f"{after[1] - before[1]} request(s); GETs so far: {remote.fetches()[-5:]}"
    )


def test_production_instance_serves_its_api_and_https_ids(prod):
    alice = prod.api("alice")
    assert alice.account_verify_credentials()["username"] == "alice"
    found = alice.search_v2("@" + prod.acct("alice"), resolve=True)
    assert [a["username"] for a in found["accounts"]] == ["alice"], (
        f"P's search does not find its own alice: {found['accounts']!r}"
    )
    doc = harness.fetch_ap(prod.url("/users/alice")).json()
    assert doc["id"] == f"https://{prod.domain}/users/alice", (
        f"P is not in production mode: alice's actor id is {doc['id']!r}"
    )


def test_dev_instance_reaches_the_python_server(cluster, remote):
    """Control: the probe sees a server that does contact it."""
    actor = remote.new_actor()
    before = remote.traffic()
    account = harness.resolve_account(cluster[0].api("bob"), actor.acct)
    assert account["username"] == actor.name
    after = remote.traffic()
    assert after[1] > before[1], "B (development mode) resolved a handle without asking its server"


def _handles(remote, B):
    actor = remote.new_actor()
    handles = {
        "localhost-python": actor.acct,
        "localhost-coopol": B.acct("bob"),
    }
    host = loopback_hostname()
    if host:
        handles["hostname-resolving-to-loopback"] = f"{actor.name}@{host}:{remote.port}"
    return handles


def test_production_instance_does_not_resolve_loopback_handles(prod, cluster, remote):
    alice = prod.api("alice")
    for label, acct in _handles(remote, cluster[0]).items():
        before = remote.traffic()
        found = alice.search_v2("@" + acct, resolve=True)
        assert not found["accounts"], f"P resolved @{acct} ({label}): {found['accounts']!r}"
        _nothing_reached(remote, before, f"P resolving @{acct} ({label})")


URL_FORMS = {
    "http-localhost": "http://localhost:{port}{path}",
    "https-localhost": "https://localhost:{port}{path}",
    "https-ipv4": "https://127.0.0.1:{port}{path}",
    "https-ipv4-decimal": "https://2130706433:{port}{path}",
    "https-ipv4-mapped-ipv6": "https://[::ffff:127.0.0.1]:{port}{path}",
    "https-hostname": "https://{host}:{port}{path}",
}


@pytest.mark.parametrize("form", list(URL_FORMS))
def test_production_instance_does_not_fetch_loopback_urls(prod, remote, form):
    host = loopback_hostname()
    if "{host}" in URL_FORMS[form] and host is None:
        pytest.skip(f"the host name {socket.gethostname()!r} does not resolve to 127.0.0.0/8 only")
    actor = remote.new_actor()
    path = urllib.parse.urlsplit(actor.id).path
    url = URL_FORMS[form].format(port=remote.port, path=path, host=host)
    before = remote.traffic()
    found = prod.api("alice").search_v2(url, resolve=True)
    assert not found["accounts"] and not found["statuses"], f"P resolved {url}: {found!r}"
    _nothing_reached(remote, before, f"P resolving the URL {url}")


def test_signed_follow_from_loopback_is_refused_without_fetching_the_key(prod, remote):
    actor = remote.new_actor()
    followers = prod.url("/users/alice/followers")
    count = harness.collection_total(followers)
    before = remote.traffic()
    follow = actor.follow(f"https://{prod.domain}/users/alice")
    r = ra.send_activity(actor, prod.url("/users/alice/inbox"), follow)
    assert 400 <= r.status_code < 500, (
        f"P accepted a Follow whose key is on a loopback http server: {r.status_code} {r.text[:200]!r}"
    )
    _nothing_reached(remote, before, "P checking the signature of a Follow whose key is on 127.0.0.1")
    assert harness.collection_total(followers) == count, "P counted the Follow"
