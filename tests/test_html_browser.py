"""The HTML page in a real browser: headless Chromium (Debian's package) driven by Playwright.

Skips when either is missing; .ci/run installs Chromium with apt-get when it can, and the test
extras install Playwright (which never downloads a browser of its own here).
"""

import shutil

import pytest
from helpers import SEED, runner

from mlpstep.cli.app import app

pytestmark = pytest.mark.slow  # a real browser: seconds per module

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "no chromium on PATH (apt-get install chromium): the HTML page's browser tests skip", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="no playwright (pip install playwright)")

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "seed.html"
    result = runner.invoke(app, ["run", SEED, "--steps", "3", "--format", "html", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.as_uri()


def opened(browser, url, **context):
    """A page loaded in a fresh context, with the console's errors and every request it made."""
    page = browser.new_context(**context).new_page()
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors, requests


def test_the_page_loads_with_no_console_error_and_no_request(browser, url):
    page, errors, requests = opened(browser, url)
    assert errors == []
    assert requests == [url]  # the page itself, nothing else
    assert page.locator("td[data-formula]").count() > 50


def test_hovering_a_cell_shows_its_formula(browser, url):
    page, _, _ = opened(browser, url)
    cell = page.locator('td[data-formula^="z1[0,0]"]')
    cell.hover()
    assert page.locator("#tip").is_visible()
    assert page.locator("#tip").text_content() == "z1[0,0] = 1·3 + 0·14 + (-1) = 2"


def test_focusing_a_cell_by_keyboard_shows_its_formula(browser, url):
    page, _, _ = opened(browser, url)
    page.locator('td[data-formula^="z1[0,0]"]').focus()
    page.keyboard.press("Tab")  # the next cell, by keyboard alone
    assert page.evaluate("document.activeElement.dataset.formula") == "z1[1,0] = 0·3 + 1·14 + (-1) = 13"
    assert page.locator("#tip").text_content() == "z1[1,0] = 0·3 + 1·14 + (-1) = 13"
    page.keyboard.press("Escape")
    assert not page.locator("#tip").is_visible()


def in_play(page):
    """The stages of the tables in play (the diagram's numbers are counted apart)."""
    return page.evaluate("[...document.querySelectorAll('figure.in-play')].map(e => e.dataset.stage)")


def diagram_in_play(page):
    """The kinds of the diagram's numbers in play (z, a, dz, dw, ...)."""
    return page.evaluate(
        "[...document.querySelectorAll('figure.diagram text.in-play')].map(e => e.getAttribute('class'))"
    )


def test_the_step_through_changes_what_is_highlighted(browser, url):
    page, _, _ = opened(browser, url)
    assert in_play(page) == []
    page.get_by_role("button", name="backward", exact=True).click()
    assert set(in_play(page)) == {"backward"} and len(in_play(page)) == 7  # dL/dz2, dL/da1, dL/dz1, W2, w20, W1, w10
    kinds = diagram_in_play(page)  # on the diagram: every unit's dL/dz and every edge's dL/dW, nothing else
    assert set(kinds) == {"dz in-play", "dw in-play"} and kinds.count("dz in-play") == 6
    page.keyboard.press("ArrowRight")  # on to the update, from the keyboard
    assert set(in_play(page)) == {"update"}
    assert page.get_by_role("button", name="update", exact=True).get_attribute("aria-pressed") == "true"
    # the forward figures fade out over a 0.2 s transition: wait for it (at most 5 s), do not race it
    page.wait_for_function(
        "() => parseFloat(getComputedStyle(document.querySelector('figure[data-stage=\"forward\"]')).opacity) < 1",
        timeout=5000,
    )


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_dark_theme_follows_the_system(browser, url):
    light, _, _ = opened(browser, url, color_scheme="light")
    dark, errors, _ = opened(browser, url, color_scheme="dark")
    assert (background(light), background(dark)) == ("rgb(255, 255, 255)", "rgb(17, 20, 24)")
    assert errors == []


def test_print_hides_the_controls_and_renders(browser, url):
    page, _, _ = opened(browser, url, color_scheme="dark")
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert background(page) == "rgb(255, 255, 255)"
    assert page.pdf()[:5] == b"%PDF-"


def test_a_phone_sized_viewport_scrolls_tables_not_the_page(browser, url):
    page, _, _ = opened(browser, url, viewport={"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
