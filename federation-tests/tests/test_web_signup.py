# SPDX-License-Identifier: AGPL-3.0-or-later
"""A newcomer's first steps in a real browser (Chromium driven by Playwright), with
JavaScript on and off, on two real instances (SQLite and PostgreSQL).

The admin of instance A opens registrations by invitation and makes a link for one
person from the panel; the newcomer signs up with it, switches the interface to
French, finds a group of instance B by its address, joins it, says they come to
the group's next event, and finds that event in their agenda and in their private
calendar feed. axe-core finds no serious or critical violation on the pages seen.
"""

from __future__ import annotations

import re

import pytest

import browsing
import harness

playwright_sync = pytest.importorskip("playwright.sync_api")

CLUSTER = [["alice"], ["bob"]]


@pytest.fixture(scope="module")
def browser():
    yield from browsing.launch(playwright_sync)


@pytest.fixture(params=["js", "nojs"])
def js(request):
    return request.param == "js"


def _admin(inst):
    if "nadia" not in inst.users:
        inst.create_user("nadia", role="admin")
    return inst.users["nadia"]


def _invitation_link(browser, a, nadia, run_dir, shots: bool) -> str:
    """nadia sets registrations to "by invitation" and makes a one-person link, in English."""
    ctx = browsing.context(browser, True, "en-GB")
    try:
        page = ctx.new_page()
        browsing.sign_in(page, a, nadia)
        page.goto(a.url("/admin/registrations"))
        page.get_by_label("By invitation").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        assert "Saved" in page.get_by_role("status").inner_text()
        page.get_by_role("link", name="Invitation links").click()
        page.wait_for_url(a.url("/admin/invitations"))
        page.get_by_label("How many people may use it").select_option("1")
        page.get_by_label("How long it works").select_option("7")
        with page.expect_navigation():
            page.get_by_role("button", name="Make the link").click()
        link = page.locator("#fresh-link").input_value()
        assert link.startswith(a.url("/invite/")), link
        cookies = ctx.cookies()
    finally:
        ctx.close()
    for path in ("/admin/registrations", "/admin/invitations"):
        assert browsing.axe(browser, a.url(path), cookies) == [], path
    assert browsing.axe(browser, link) == []
    if shots:
        browsing.screenshots(browser, run_dir, link, "signup")
        browsing.screenshots(browser, run_dir, a.url("/admin/invitations"), "admin-invitations", cookies)
    return link


def test_an_invited_newcomer_joins_a_group_elsewhere_and_plans_its_event(cluster, browser, js, run_dir):
    a, b = cluster[0], cluster[1]
    nadia = _admin(a)
    sfx = "js" if js else "nojs"
    karim, group = f"karim_{sfx}", f"fives_{sfx}"
    created = browsing.create_group(
        b, "bob", name=group, display_name="Comité de Fives",
        description="Le comité des habitantes et habitants de Fives.", join_mode="open",
    )
    link = _invitation_link(browser, a, nadia, run_dir, shots=js)

    ctx = browsing.context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        # The invitation link opens the sign-up form; the account is made and signed in.
        page.goto(link)
        assert "You were invited to join" in page.inner_text("main")
        page.get_by_label("Username").fill(karim)
        page.get_by_label("E-mail address").fill(f"{karim}@ft.invalid")
        page.get_by_label("Password").fill("une phrase de passe assez longue")
        page.get_by_label("I have read the rules and I accept them.").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Create my account").click()
        assert page.url == a.url("/home"), page.url

        # French, from the settings.
        page.get_by_role("navigation").get_by_role("link", name="Settings").click()
        page.get_by_label("Français").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save the language").click()
        assert page.locator("html").get_attribute("lang") == "fr"

        # The group on instance B, found by its address, joined from here.
        page.get_by_role("navigation").get_by_role("link", name="Rechercher").click()
        page.get_by_label("Chercher des personnes, des groupes et des messages").fill(f"!{group}@{b.domain}")
        with page.expect_navigation():
            page.get_by_role("button", name="Rechercher", exact=True).click()
        group_url = a.url(f"/groups/{group}@{b.domain}")
        assert page.url == group_url, page.url
        with page.expect_navigation():
            page.get_by_role("button", name="Rejoindre le groupe").click()

        def member():
            page.goto(group_url)
            # French puts a no-break space before the colon.
            return "en tant que\xa0: membre" in page.locator("#membership").inner_text()

        harness.wait_for(member, timeout=30, what="B's Accept of karim's join, shown on the group's page")

        # The group's next event reaches A; karim says he comes.
        title = f"Tractage au marché ({sfx})"
        event = browsing.group_event(b, "bob", created["id"], title)

        def listed():
            page.goto(group_url)
            return title in page.get_by_role("region", name="Prochains événements").inner_text()

        harness.wait_for(listed, timeout=30, what="the group's event on A's page of the group")
        page.get_by_role("region", name="Prochains événements").get_by_role("link", name=title).click()
        page.wait_for_url(re.compile(r"/events/\d+$"))
        event_url = page.url
        with page.expect_navigation():
            page.get_by_role("button", name="Je viens").click()

        def coming():
            page.goto(event_url)
            return "Vous venez." in page.locator("#rsvp").inner_text()

        harness.wait_for(coming, timeout=30, what="karim's participation on the event's page")

        # His agenda has it, and so does his private calendar feed.
        page.goto(a.url("/events"))
        assert title in page.get_by_role("region", name="Mon agenda").inner_text()
        with page.expect_navigation():
            page.get_by_role("button", name="Créer mon lien d’agenda privé").click()
        feed = page.locator("#feed-link").input_value()
        assert feed.startswith(a.url(f"/users/{karim}/events.ics?token=")), feed
        ics = harness.http_session().get(feed, timeout=15)
        assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text and title in ics.text, ics.text[:300]
        cookies = ctx.cookies()
    finally:
        ctx.close()

    # Instance B, the event's origin, counts him among the people coming.
    bob_api = browsing.api_session(b, "bob")
    harness.wait_for(
        lambda: bob_api.get(b.url(f"/api/v1/coopol/events/{event['id']}"), timeout=15).json()["participants_count"] >= 1,
        timeout=30, what="karim's Join counted on B",
    )
    assert browsing.axe(browser, a.url("/events"), cookies) == []
    assert browsing.axe(browser, a.url("/search?q=tracts"), cookies) == []
    assert browsing.axe(browser, group_url, cookies) == []
    if js:
        browsing.screenshots(browser, run_dir, a.url("/search?q=fives"), "search", cookies)
        browsing.screenshots(browser, run_dir, a.url("/events"), "agenda", cookies)
