"""Real-browser journeys: Playwright drives Debian's Chromium against pytest-django's live
server. Screenshots of the pages land in the checkout's var/e2e/ (ONCALL_E2E_ARTIFACTS) as test
artifacts, not in the test run's own var dir, which goes when the run ends."""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-browser-tests-1"


@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an event loop running in this thread while the browser
        # is open; the test's own ORM calls (setting the stage, checking the result, flushing
        # the database) are still plain synchronous code. Only for this module's tests.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    folder = Path(os.environ.get("ONCALL_E2E_ARTIFACTS", settings.BASE_DIR / "var" / "e2e"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser context per user: `open_page(width=…)` → a page on the live server."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# Every input, select and textarea a person fills in, without a label or an aria name.
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML.slice(0, 160))"""

DUPLICATE_IDS = """() => {
  const seen = new Set(), twice = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    (seen.has(el.id) ? twice : seen).add(el.id);
  }
  return [...twice];
}"""

WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((el) => !el.closest(".table-wrap"))
  .slice(0, 5)
  .map((el) => el.outerHTML.slice(0, 120))"""


def page_problems(page) -> dict[str, list]:
    """What keeps a page from working on a phone or with a screen reader: sideways scrolling
    (and what sticks out), inputs without a label, ids used twice (a label then finds the
    wrong input). Empty when all is well."""
    problems = {
        "unlabelled inputs": page.evaluate(UNLABELLED),
        "duplicate ids": page.evaluate(DUPLICATE_IDS),
    }
    if not no_horizontal_scroll(page):
        sticking_out = page.evaluate(WIDER_THAN_THE_SCREEN)
        problems["scrolls sideways"] = sticking_out or ["(the page is wider than the screen)"]
    return {what: found for what, found in problems.items() if found}
