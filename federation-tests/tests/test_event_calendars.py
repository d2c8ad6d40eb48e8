# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar feeds of events (iCalendar, RFC 5545), read as a phone calendar reads them.

A organises an event in Europe/Paris; its feeds are fetched over HTTP and parsed with
the ``icalendar`` package. bob on B finds the event by its URL, joins it, and sees it in
his personal feed (opened with his calendar token) on his own instance.
"""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from harness import http_session, unique, wait_for

CLUSTER = [["alice"], ["bob"]]
PARIS = ZoneInfo("Europe/Paris")


class Client:
    """coopol's own JSON endpoints, as one user."""

    def __init__(self, inst, user):
        self.inst = inst
        self.session = http_session()
        self.session.headers["Authorization"] = f"Bearer {inst.token(user)}"

    def call(self, method, path, expect=200, json=None, params=None):
        r = self.session.request(method, self.inst.url(path), json=json, params=params, timeout=30)
        assert r.status_code == expect, f"{method} {path} answered {r.status_code}: {r.text[:300]}"
        return r.json()


def fetch_calendar(inst, path, expect=200):
    """A feed fetched anonymously, checked as a calendar, and parsed."""
    r = http_session().get(inst.url(path), timeout=30)
    assert r.status_code == expect, f"GET {path} answered {r.status_code}: {r.text[:300]}"
    if expect != 200:
        return None
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers.get("ETag"), "feeds carry an ETag for cheap polling"
    return icalendar.Calendar.from_ical(r.content), r


def vevents(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture(scope="module")
def event(cluster):
    A, _ = cluster
    # Next summer, so that Paris is on UTC+2: 14:00 local is 12:00 UTC.
    year = datetime.now(timezone.utc).year + 1
    starts = datetime(year, 7, 4, 14, 0, tzinfo=PARIS)
    ends = datetime(year, 7, 4, 16, 30, tzinfo=PARIS)
    title = f"Marche {unique('ev')}, départ; arrivée"
    body = {
        "title": title,
        "description": "Rendez-vous **devant** la mairie.",
        "starts_at": starts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "ends_at": ends.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "timezone": "Europe/Paris",
        "location": {"name": "Mairie", "locality": "Paris", "postal_code": "75004", "country": "France",
                     "latitude": 48.8566, "longitude": 2.3522},
        "join_mode": "free",
    }
    alice = Client(A, "alice")
    r = alice.session.post(A.url("/api/v1/coopol/events"), json=body, timeout=30)
    assert r.status_code == 200, f"creating the event answered {r.status_code}: {r.text[:300]}"
    ev = r.json()
    return {"json": ev, "starts": starts, "ends": ends, "title": title}


def assert_times(vevent, starts, ends):
    dtstart, dtend = vevent["DTSTART"], vevent["DTEND"]
    assert dtstart.params["TZID"] == "Europe/Paris"
    assert dtend.params["TZID"] == "Europe/Paris"
    start, end = dtstart.dt, dtend.dt
    # The right wall-clock time in Paris...
    assert (start.hour, start.minute) == (14, 0), start
    assert (end.hour, end.minute) == (16, 30), end
    # ...and the right instant.
    assert start.astimezone(timezone.utc) == starts.astimezone(timezone.utc)
    assert end.astimezone(timezone.utc) == ends.astimezone(timezone.utc)
    assert start.astimezone(timezone.utc).hour == 12


def test_feeds_of_the_organising_instance(cluster, event):
    A, _ = cluster
    ev = event["json"]
    for path in (f"/api/v1/coopol/events/{ev['id']}.ics", "/users/alice/events.ics", "/events.ics"):
        cal, r = fetch_calendar(A, path)
        found = vevents(cal)
        assert ev["uri"] in found, f"{path}: {list(found)}"
        vevent = found[ev["uri"]]
        assert str(vevent["SUMMARY"]) == event["title"]
        assert str(vevent["STATUS"]) == "CONFIRMED"
        assert "Mairie" in str(vevent["LOCATION"])
        assert_times(vevent, event["starts"], event["ends"])
        zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
        assert zones == ["Europe/Paris"], zones
        # Polling an unchanged feed costs a 304.
        again = http_session().get(A.url(path), headers={"If-None-Match": r.headers["ETag"]}, timeout=30)
        assert again.status_code == 304, path


def test_a_remote_event_joined_appears_in_the_personal_feed(cluster, event):
    A, B = cluster
    ev = event["json"]
    bob = Client(B, "bob")
    found = bob.call("GET", "/api/v2/search", params={"q": ev["url"], "resolve": "true"})
    assert "events" in found, f"search v2 answered without an events array: {sorted(found)}"
    remote = next(e for e in found["events"] if e["uri"] == ev["uri"])
    bob.call("POST", f"/api/v1/coopol/events/{remote['id']}/join", json={})
    wait_for(
        lambda: bob.call("GET", f"/api/v1/coopol/events/{remote['id']}")["participation"] == "accepted",
        what="bob's participation accepted by A",
    )

    token = bob.call("POST", "/api/v1/coopol/calendar/token")
    assert token["url"] == B.url(f"/users/bob/events.ics?token={token['token']}")
    cal, _ = fetch_calendar(B, f"/users/bob/events.ics?token={token['token']}")
    vevent = vevents(cal)[ev["uri"]]
    assert_times(vevent, event["starts"], event["ends"])
    # Without the token, bob's feed holds only what he organises.
    cal, _ = fetch_calendar(B, "/users/bob/events.ics")
    assert ev["uri"] not in vevents(cal)
    fetch_calendar(B, "/users/bob/events.ics?token=wrong", expect=401)


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(cluster, event):
    A, _ = cluster
    ev = event["json"]
    Client(A, "alice").call("POST", f"/api/v1/coopol/events/{ev['id']}/cancel")
    cal, _ = fetch_calendar(A, "/users/alice/events.ics")
    vevent = vevents(cal)[ev["uri"]]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert_times(vevent, event["starts"], event["ends"])
