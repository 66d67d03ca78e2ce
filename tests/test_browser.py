"""A real headless Chromium against `racegraph serve`: home -> event -> driver, as a visitor clicks."""

from __future__ import annotations


import pytest
from conftest import CHROMEDRIVER, CHROMIUM, headless_chromium


pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="chromium and chromium-driver are not installed (/usr/bin/chromium, /usr/bin/chromedriver)"),
]


@pytest.fixture
def browser(tmp_path):
    with headless_chromium(tmp_path / "profile", window="1366,1600") as driver:
        yield driver


def test_click_from_home_to_event_to_driver(browser, live_server, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(live_server)
    assert "racegraph" in browser.title
    browser.find_element(By.LINK_TEXT, "2003 1000 km of Le Mans").click()

    assert browser.current_url == live_server + "page/event/2003-1000-km-of-le-mans"
    assert browser.find_element(By.TAG_NAME, "h1").text == "2003 1000 km of Le Mans"
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert len(rows) == 37
    assert all(row.is_displayed() for row in rows[:5])
    winners = browser.find_elements(By.CSS_SELECTOR, "table.results tr.class-winner")
    assert len(winners) == 4
    assert all("★" in row.find_element(By.CSS_SELECTOR, "td.col-result").text for row in winners)
    first_cells = [cell.text for cell in rows[0].find_elements(By.TAG_NAME, "td")]
    assert first_cells[0].startswith("1") and first_cells[2] == "5"
    # the class winners' background differs from an ordinary row's
    assert winners[0].value_of_css_property("background-color") != rows[1].value_of_css_property("background-color")
    screenshot = tmp_path / "event.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    print(f"event page screenshot: {screenshot}")

    browser.find_element(By.LINK_TEXT, "Tom Kristensen").click()
    assert browser.current_url == live_server + "page/driver/tom-kristensen"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Tom Kristensen"
    career = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert len(career) == 1
    cells = [cell.text for cell in career[0].find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "2003 1000 km of Le Mans" and cells[1] == "9 Nov 2003" and cells[2] == "5"
    assert "Audi Sport Japan Team Goh" in cells[4]
    browser.save_screenshot(str(tmp_path / "driver.png"))


def test_search_box_finds_a_driver_ignoring_accents(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.get(live_server)
    box = browser.find_element(By.CSS_SELECTOR, "section.intro input[name=q]")
    box.send_keys("sebastien bourdais")
    box.submit()
    browser.find_element(By.LINK_TEXT, "Sébastien Bourdais").click()
    assert browser.current_url == live_server + "page/driver/sebastien-bourdais"
