# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the browser tests share: Debian's Chromium driven by Playwright, axe-core
injected into pages, screenshots (FR and EN, desktop and 375 px), signing in, and
the API calls that set a scene (a group, an event)."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import harness

CHROMIUM = os.environ.get("COOPOL_CHROMIUM", "/usr/bin/chromium")
AXE = harness.HERE / "browser" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def launch(playwright_sync):
    """A Chromium browser for a test module (a generator: yield it from a fixture)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci in federation-tests/browser (.ci/run does)")
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def context(browser, js: bool, lang: str = "fr-FR", viewport=DESKTOP):
    ctx = browser.new_context(java_script_enabled=js, locale=lang, viewport=viewport)
    ctx.set_default_timeout(20_000)
    return ctx


def axe(browser, url: str, cookies=None):
    """axe-core's serious and critical violations on ``url`` (JavaScript on: axe needs it)."""
    ctx = context(browser, True)
    try:
        if cookies:
            ctx.add_cookies(cookies)
        page = ctx.new_page()
        page.goto(url)
        # Evaluated through the DevTools protocol: the page's CSP (no script at all) stays on.
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        ctx.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def shots_dirs(run_dir) -> list[Path]:
    dirs = [run_dir / "screenshots"]
    extra = os.environ.get("COOPOL_WEB_SCREENSHOTS")
    if extra:
        dirs.append(Path(extra))
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def screenshots(browser, run_dir, url: str, name: str, cookies=None):
    """FR and EN, desktop and 375 px, of the page at ``url``."""
    for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        for size, viewport in (("desktop", DESKTOP), ("375", PHONE)):
            ctx = context(browser, False, locale, viewport)
            try:
                if cookies:
                    ctx.add_cookies(cookies)
                page = ctx.new_page()
                page.goto(url)
                for d in shots_dirs(run_dir):
                    page.screenshot(path=str(d / f"{name}-{lang}-{size}.png"), full_page=True)
            finally:
                ctx.close()


def sign_in(page, inst, user):
    page.goto(inst.url("/signin"))
    page.get_by_label(re.compile("Nom d’utilisateur|User name")).fill(user.name)
    page.get_by_label(re.compile("^(Mot de passe|Password)$")).fill(user.password)
    page.get_by_role("button", name=re.compile("^(Se connecter|Sign in)$")).click()
    page.wait_for_url(inst.url("/home"))


def api_session(inst, user):
    s = harness.http_session()
    s.headers["Authorization"] = f"Bearer {inst.token(user)}"
    return s


def create_group(inst, admin, **fields):
    r = api_session(inst, admin).post(inst.url("/api/v1/coopol/groups"), data=fields, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def group_event(inst, organiser, group_id, title):
    starts = (datetime.now(timezone.utc) + timedelta(days=9)).replace(hour=8, minute=30, second=0, microsecond=0)
    body = {
        "title": title,
        "description": "Rendez-vous devant la mairie avec les tracts.",
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "ends_at": (starts + timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
        "timezone": "Europe/Paris",
        "location": {"name": "Marché Wazemmes", "locality": "Lille", "country": "France"},
        "group_id": group_id,
    }
    r = api_session(inst, organiser).post(inst.url("/api/v1/coopol/events"), json=body, timeout=30)
    assert r.status_code in (200, 201), r.text[:300]
    return r.json()
