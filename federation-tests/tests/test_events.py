# SPDX-License-Identifier: AGPL-3.0-or-later
"""Events across three instances, with RSVP (issue 5).

A is the organiser's instance (olivia administers the group "collectif"), B is
bruno's and berthe's, C is chloe's and cyril's. People on B and C find the
event by pasting its URL into search, join it with coopol's own endpoints
(plain ``requests``) and read their notifications; Mastodon.py follows the group
and reads the home timeline.

- Free mode with capacity 2: bruno joins, chloe says maybe, cyril joins (full),
  berthe waits; cyril leaves and berthe moves up (and is told); the counts
  agree on A, B and C; olivia cancels and every participant is notified.
- Approval mode: bruno's request waits for olivia, who is notified and
  approves (bruno is told); chloe's request is rejected.
- The group announces its event: a member on B sees it in their home as a
  status with the date in the event's zone and a link, as Mastodon apps show it.
- A Mobilizon-shaped Event (as Mobilizon publishes it), signed by a Python
  actor that olivia follows, is stored on A and listed by
  ``GET /api/v1/coopol/events``.
"""

import copy
import json
import pathlib
import secrets
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

import remote_actor as ra
from harness import ensure_following, fetch_ap, http_session, resolve_account, unique, wait_for

CLUSTER = [["olivia"], ["bruno", "berthe"], ["chloe", "cyril"]]

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "crates/coopol-federation/tests/fixtures/mobilizon/event.json"


class Coopol:
    """coopol's own event endpoints, as one user of one instance."""

    def __init__(self, inst, user):
        self.inst = inst
        self.session = http_session()
        self.session.headers["Authorization"] = f"Bearer {inst.token(user)}"

    def call(self, method, path, expect=200, body=None, params=None):
        r = self.session.request(method, self.inst.url(path), json=body, params=params, timeout=30)
        assert r.status_code == expect, f"{self.inst.label} {method} {path} answered {r.status_code}: {r.text[:300]}"
        return r.json() if r.text else None

    def event(self, event_id):
        return self.call("GET", f"/api/v1/coopol/events/{event_id}")

    def find(self, url):
        """The event at ``url``, resolved from its origin through search v2."""
        res = self.call("GET", "/api/v2/search", params={"q": url, "resolve": "true"})
        events = res.get("events") or []
        assert events, f"search on {self.inst.label} for {url} found no event: {json.dumps(res)[:300]}"
        return events[0]

    def join(self, event_id, maybe=False):
        return self.call("POST", f"/api/v1/coopol/events/{event_id}/join", body={"maybe": True} if maybe else {})

    def leave(self, event_id):
        return self.call("POST", f"/api/v1/coopol/events/{event_id}/leave")

    def notifications(self):
        return self.call("GET", "/api/v1/notifications", params={"limit": 40})


@pytest.fixture(scope="module")
def net(cluster):
    A, B, C = cluster
    res = A.admin("group", "create", "collectif", "--admin", "olivia")
    assert f"!collectif@{A.domain}" in res.stdout, res.stdout
    people = {name: Coopol(inst, name) for inst, names in zip(cluster, CLUSTER) for name in names}
    group = next(
        g for g in people["olivia"].call("GET", "/api/v1/coopol/groups") if g["account"]["username"] == "collectif"
    )
    return SimpleNamespace(A=A, B=B, C=C, group_id=group["account"]["id"], **people)


def new_event(net, **extra):
    starts = (datetime.now(timezone.utc) + timedelta(days=30)).replace(hour=13, minute=0, second=0, microsecond=0)
    body = {
        "title": unique("Assemblée"),
        "description": "Ordre du jour : **le budget**.",
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "ends_at": (starts + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        "timezone": "Europe/Paris",
        "location": {"name": "Bourse du travail", "street": "3 rue du Château-d'Eau", "locality": "Paris",
                     "postal_code": "75010", "country": "France", "latitude": 48.87, "longitude": 2.36},
        "group_id": net.group_id,
        **extra,
    }
    return net.olivia.call("POST", "/api/v1/coopol/events", body=body)


def state_of(person, event_id):
    return person.event(event_id).get("participation")


def counts_agree(where, expected):
    """``where`` is a list of (person, local event id); every instance shows ``expected``."""
    seen = [p.event(i)["participants_count"] for p, i in where]
    return seen if all(c == expected for c in seen) else None


def kinds(person):
    return [n["type"] for n in person.notifications()]


def test_free_event_with_capacity_maybe_waitlist_leave_and_cancel(net):
    ev = new_event(net, capacity=2, join_mode="free")
    assert ev["status"] == "confirmed" and ev["participants_count"] == 0
    doc = fetch_ap(ev["uri"]).json()
    assert doc["type"] == "Event" and doc["timezone"] == "Europe/Paris"
    assert doc["joinMode"] == "free" and doc["maximumAttendeeCapacity"] == 2
    assert "(Europe/Paris)" in doc["summary"] and "Bourse du travail" in doc["summary"]

    on = {name: net.__dict__[name].find(ev["url"])["id"] for name in ("bruno", "berthe", "chloe", "cyril")}
    net.bruno.join(on["bruno"])
    wait_for(lambda: state_of(net.bruno, on["bruno"]) == "accepted", what="bruno (B) accepted in a free event")
    net.chloe.join(on["chloe"], maybe=True)
    wait_for(lambda: state_of(net.chloe, on["chloe"]) == "tentative", what="chloe (C) down as maybe")
    net.cyril.join(on["cyril"])
    wait_for(lambda: state_of(net.cyril, on["cyril"]) == "accepted", what="cyril (C) accepted: the second place")
    net.berthe.join(on["berthe"])
    # The third would-be participant waits: capacity 2, and "maybe" takes no place.
    wait_for(
        lambda: {p["account"]["acct"]: p["state"] for p in net.olivia.call("GET", f"/api/v1/coopol/events/{ev['id']}/participants")}.get(f"berthe@{net.B.domain}") == "waitlisted",
        what="berthe (B) on the waiting list on A",
    )
    assert net.olivia.event(ev["id"])["participants_count"] == 2
    where = [(net.olivia, ev["id"]), (net.bruno, on["bruno"]), (net.chloe, on["chloe"])]
    wait_for(lambda: counts_agree(where, 2), what="2 participants on A, B and C")

    # cyril leaves: berthe moves up and is told.
    net.cyril.leave(on["cyril"])
    wait_for(lambda: state_of(net.berthe, on["berthe"]) == "accepted", what="berthe (B) accepted once a place freed")
    wait_for(lambda: "coopol.event_participation_accepted" in kinds(net.berthe), what="berthe notified of her place")
    wait_for(lambda: counts_agree(where + [(net.berthe, on["berthe"])], 2), what="still 2 participants everywhere")

    # The organiser cancels: everyone taking part hears of it, on every instance.
    net.olivia.call("POST", f"/api/v1/coopol/events/{ev['id']}/cancel")
    for name in ("bruno", "berthe", "chloe"):
        person = net.__dict__[name]
        wait_for(lambda: person.event(on[name])["status"] == "cancelled", what=f"{name} sees the event cancelled")
        wait_for(lambda: "update" in kinds(person), what=f"{name} notified of the cancellation")
    assert fetch_ap(ev["uri"]).json()["ical:status"] == "CANCELLED"


def test_approval_mode_waits_for_the_organiser(net):
    ev = new_event(net, join_mode="approval")
    bruno_id = net.bruno.find(ev["url"])["id"]
    chloe_id = net.chloe.find(ev["url"])["id"]
    net.bruno.join(bruno_id)
    net.chloe.join(chloe_id)
    path = f"/api/v1/coopol/events/{ev['id']}/participants"

    def pending():
        rows = {p["account"]["acct"]: p for p in net.olivia.call("GET", path)}
        ids = {acct.split("@")[0]: r["account"]["id"] for acct, r in rows.items() if r["state"] == "pending"}
        return ids if {"bruno", "chloe"} <= ids.keys() else None

    waiting = wait_for(pending, what="bruno's and chloe's requests pending on A")
    assert "coopol.event_participation_request" in kinds(net.olivia)
    assert state_of(net.bruno, bruno_id) == "pending"
    assert net.olivia.event(ev["id"])["participants_count"] == 0

    net.olivia.call("POST", f"{path}/{waiting['bruno']}/approve")
    net.olivia.call("POST", f"{path}/{waiting['chloe']}/reject")
    wait_for(lambda: state_of(net.bruno, bruno_id) == "accepted", what="bruno (B) approved")
    wait_for(lambda: "coopol.event_participation_accepted" in kinds(net.bruno), what="bruno notified of approval")
    wait_for(lambda: state_of(net.chloe, chloe_id) == "rejected", what="chloe (C) rejected")
    where = [(net.olivia, ev["id"]), (net.bruno, bruno_id), (net.chloe, chloe_id)]
    wait_for(lambda: counts_agree(where, 1), what="1 participant on A, B and C")


def _accepted(actor, follow_id):
    for req in actor.received():
        doc = req.json()
        obj = doc.get("object")
        if doc.get("type") == "Accept" and (obj == follow_id or (isinstance(obj, dict) and obj.get("id") == follow_id)):
            return True
    return False


def test_a_mobilizon_event_is_stored_and_listed(net, remote):
    # A name of its own: the Python peer outlives one database run, and keeps what it received.
    gael = remote.new_actor("gael" + secrets.token_hex(4))
    # olivia follows the Mobilizon organiser, who accepts.
    account = resolve_account(net.A.api("olivia"), gael.acct)
    net.A.api("olivia").account_follow(account["id"])
    follow = wait_for(
        lambda: next((r.json() for r in gael.received() if r.json().get("type") == "Follow"), None),
        what="olivia's Follow at the Python actor",
    )
    accept = {"@context": ra.AP_CONTEXT, "id": gael.activity_id(), "type": "Accept", "actor": gael.id, "object": follow}
    assert ra.send_activity(gael, net.A.url("/inbox"), accept).status_code == 202
    ensure_following(net.A.api("olivia"), gael.acct)

    event = json.loads(FIXTURE.read_text())
    base = remote.base_url
    uri = f"{base}/events/{unique('ev')}"
    event.update(id=uri, url=uri, attributedTo=gael.id, actor=gael.id, name=unique("Vélorution"))
    event["cc"] = [gael.id + "/followers"]
    event["location"]["id"] = f"{base}/address/1"
    event["attachment"] = [
        a | ({"url": f"{base}/media/banner.jpg"} if a["type"] == "Document" else {}) | (
            {"href": f"{base}/live"} if a["type"] == "Link" else {})
        for a in event["attachment"]
    ]
    body = copy.deepcopy(event)
    del body["@context"]
    create = {"@context": event["@context"], "id": uri + "/activity", "type": "Create", "actor": gael.id,
              "to": event["to"], "cc": event["cc"], "object": body}
    r = ra.send_activity(gael, net.A.url("/inbox"), create)
    assert r.status_code == 202, r.text[:200]

    def listed():
        return next((e for e in net.olivia.call("GET", "/api/v1/coopol/events") if e["uri"] == uri), None)

    stored = wait_for(listed, what="the Mobilizon event listed on A")
    assert stored["title"] == event["name"]
    assert stored["timezone"] == "Europe/Paris"
    assert stored["join_mode"] == "approval"
    assert stored["participants_count"] == 42 and stored["capacity"] == 150
    assert stored["location"]["locality"] == "Lyon"
    assert stored["online_url"] == f"{base}/live"
    assert stored["starts_at"].startswith("2026-12-12T13:30:00")
    assert "<script" not in stored["description"] and "<strong>vélo</strong>" in stored["description"]
    assert stored["local"] is False


def test_the_group_announces_its_event_to_mastodon_apps(net):
    """A member on another instance sees the event in their home timeline, as a status boosted
    by the group, with the date in the event's zone and a link (what Mastodon apps show)."""
    berthe = net.B.api("berthe")
    ensure_following(berthe, net.A.acct("collectif"))
    ev = new_event(net, join_mode="free")

    def boosted():
        for s in berthe.timeline_home(limit=40):
            if s.get("reblog") and s["reblog"]["uri"] == ev["uri"]:
                return s
        return None

    boost = wait_for(boosted, what="the group's boost of the event in berthe's home (B)")
    assert boost["account"]["acct"] == net.A.acct("collectif")
    content = boost["reblog"]["content"]
    assert ev["title"] in content and "(Europe/Paris)" in content and ev["url"] in content, content
    # B knows it as an event too, with the organiser and the group.
    on_b = net.berthe.find(ev["url"])
    assert on_b["local"] is False and on_b["group"]["acct"] == net.A.acct("collectif")
    assert on_b["organizer"]["acct"] == net.A.acct("olivia")
