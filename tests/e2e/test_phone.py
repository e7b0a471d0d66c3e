"""On a phone: the menu and a team's tabs fold under a button so content comes first, every
button is a finger tall, and the greyed days of the calendar still read (4.5:1)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, page_problems
from tests.e2e.test_journeys import busy_team, user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VISIBLE_BUTTON_HEIGHTS = """() => [...document.querySelectorAll("button, .button")]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])"""

# WCAG contrast of each greyed calendar day's text on its own background colour.
GREYED_CONTRAST = """() => {
  const rgb = (c) => c.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return [...document.querySelectorAll(".calendar td.out")].map((td) => {
    const style = getComputedStyle(td);
    if (style.opacity !== "1") return 0;  // faded as a whole: the colours alone do not tell
    const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}"""


def test_on_a_phone_the_menu_and_team_tabs_fold_and_content_comes_first(open_page, artifacts):
    busy_team()
    user("ops", "U_OPS", is_staff=True)
    page = open_page(width=390, height=844)
    log_in(page, "ops")
    page.goto("/teams/payments/overrides/")
    page.screenshot(path=artifacts / "phone-menu-folded.png")
    assert page.get_by_role("heading", name="Payments").bounding_box()["y"] < 120
    expect(page.get_by_role("link", name="Fairness")).to_be_hidden()
    expect(page.get_by_role("link", name="History")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Fairness")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Overrides")).click()
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"/teams/payments/history/$"))
    assert page_problems(page) == {}


def test_on_a_phone_every_button_is_a_finger_tall(open_page):
    busy_team()
    user("ops", "U_OPS", is_staff=True)
    page = open_page(width=390, height=844)
    log_in(page, "ops")
    short = {}
    for path in ["/", "/teams/payments/overrides/", "/teams/payments/members/", "/audit/"]:
        page.goto(path)
        short[path] = [(text, h) for text, h in page.evaluate(VISIBLE_BUTTON_HEIGHTS) if h < 44]
    assert {path: found for path, found in short.items() if found} == {}


def test_greyed_calendar_days_read_at_four_and_a_half_to_one(open_page):
    busy_team()
    user("ops", "U_OPS", is_staff=True)
    page = open_page(width=390, height=844)
    log_in(page, "ops")
    page.goto("/teams/payments/")
    ratios = page.evaluate(GREYED_CONTRAST)
    assert ratios and min(ratios) >= 4.5, min(ratios or [0])
