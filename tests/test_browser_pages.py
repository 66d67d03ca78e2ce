"""Headless Chromium on every kind of page, at desktop and phone widths, with screenshots.

The screenshots land in var/screenshots/ (CI keeps them as artifacts): home, event, driver, a browse
index, the SPARQL page and a Triple Pattern Fragment, each at 1366 px and at 390 px (a phone), whole page.
"""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest
from conftest import CHROMEDRIVER, CHROMIUM, headless_chromium

from graph.uris import DEFAULT_BASE

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
WIDTHS = {"desktop": 1366, "phone": 390}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="chromium and chromium-driver are not installed (/usr/bin/chromium, /usr/bin/chromedriver)"),
]

# one page of each kind: (name, path, the h1 it must show)
PAGES = [
    ("home", "", "racegraph: motorsport race results"),
    ("event", "page/event/2003-1000-km-of-le-mans", "2003 1000 km of Le Mans"),
    ("driver", "page/driver/tom-kristensen", "Tom Kristensen"),
    ("team", "page/team/audi-sport-japan-team-goh", "Audi Sport Japan Team Goh"),
    ("chassis", "page/chassis/audi-r8", "Audi R8"),
    ("engine", "page/engine/audi-3-6l-turbo-v8", "Audi 3.6L Turbo V8"),
    ("manufacturer", "page/manufacturer/audi", "Audi"),
    ("class", "page/class/lmp900", "LMP900"),
    ("circuit", "page/circuit/bugatti-circuit", "Bugatti Circuit"),
    ("country", "page/country/dnk", "DNK Denmark"),
    ("entry", "page/entry/2003-1000-km-of-le-mans/5", "#5 Audi Sport Japan Team Goh, 2003 1000 km of Le Mans"),
    ("browse-driver", "page/driver", "Drivers (98)"),
    ("browse-manufacturer", "page/manufacturer", "Manufacturers (33)"),
    ("sparql", "sparql", "SPARQL endpoint"),
    ("fragments", "fragments.html?subject=http%3A%2F%2F127.0.0.1%3A5000%2Fid%2Fdriver%2Ftom-kristensen",
     "Triple Pattern Fragments"),
]
SCREENSHOT_PAGES = {"home", "event", "driver", "browse-driver", "browse-manufacturer", "sparql", "fragments"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile"), window="1366,900",
                           extra=("--hide-scrollbars",)) as driver:
        yield driver


def emulate(browser, width: int) -> None:
    """Lay pages out `width` CSS pixels wide; below 500 px as a phone (touch, mobile viewport)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})


def full_page_screenshot(browser, path: Path) -> None:
    height = browser.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": browser.execute_script("return document.documentElement.clientWidth"),
                 "height": min(height, 6000), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_kind_of_page_opens_and_fits(browser, live_server, width_name):
    from selenium.webdriver.common.by import By

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = WIDTHS[width_name]
    emulate(browser, width)
    for name, path, heading in PAGES:
        browser.get(live_server + path + ("&" if "?" in path else "?") + "lang=en")
        h1 = browser.find_element(By.TAG_NAME, "h1")
        assert " ".join(h1.text.split()) == heading, name
        # nothing wider than the screen except inside a scrolling table wrapper
        overflow = browser.execute_script("return document.documentElement.scrollWidth")
        assert overflow <= width + 1, f"{name} at {width} px is {overflow} px wide"
        if name in SCREENSHOT_PAGES:
            if name == "sparql":
                browser.find_element(By.CSS_SELECTOR, "#yasgui .CodeMirror")  # the editor is drawn
            target = SCREENSHOTS / f"{name}-{width_name}.png"
            full_page_screenshot(browser, target)
            assert target.stat().st_size > 5_000


def test_results_key_columns_visible_on_a_phone(browser, live_server):
    from selenium.webdriver.common.by import By

    emulate(browser, 390)
    browser.get(live_server + "page/event/2003-1000-km-of-le-mans?lang=en")
    first = browser.find_element(By.CSS_SELECTOR, "table.results tbody tr")
    for column in ("result", "class", "no", "drivers", "laps"):
        cell = first.find_element(By.CSS_SELECTOR, f"td.col-{column}")
        assert cell.is_displayed(), column
        right = browser.execute_script("return arguments[0].getBoundingClientRect().right", cell)
        assert right <= 390, f"{column} ends at {right} px, off a 390 px screen"
    assert not first.find_element(By.CSS_SELECTOR, "td.col-engine").is_displayed()
    emulate(browser, 1366)


def test_sorting_the_results_by_a_column_heading(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulate(browser, 1366)
    browser.get(live_server + "page/event/2003-1000-km-of-le-mans?lang=en")
    browser.find_element(By.CSS_SELECTOR, "th.col-laps a").click()
    WebDriverWait(browser, 20).until(lambda b: "sort=laps" in b.current_url)
    laps = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table.results td.col-laps")]
    numbers = [int(text) if text.isdigit() else -1 for text in laps]
    assert numbers == sorted(numbers) and len(numbers) == 37
    assert browser.find_element(By.CSS_SELECTOR, "th.col-laps").get_attribute("aria-sort") == "ascending"
    browser.find_element(By.CSS_SELECTOR, "th.col-laps a").click()
    WebDriverWait(browser, 20).until(lambda b: "sort=-laps" in b.current_url)
    laps = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table.results td.col-laps")]
    assert laps[0] == "208"


def test_a_fragment_in_the_browser_searches_and_pages(browser, live_server):
    """/fragments asked by the browser itself (its own Accept header) is the HTML view: search, then page on."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulate(browser, 1366)
    browser.get(live_server + "fragments?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Triple Pattern Fragments"
    predicate = browser.find_element(By.CSS_SELECTOR, "form.fragment-search input[name=predicate]")
    predicate.send_keys("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    browser.find_element(By.CSS_SELECTOR, "form.fragment-search button").click()
    WebDriverWait(browser, 20).until(lambda b: "predicate=" in b.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.fragment tbody tr")
    assert len(rows) == 100 and all(row.find_elements(By.TAG_NAME, "td")[1].text == "rdf:type" for row in rows)
    counts = browser.find_element(By.CSS_SELECTOR, "p.fragment-counts").text
    browser.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]").click()
    WebDriverWait(browser, 20).until(lambda b: "page=2" in b.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "p.fragment-counts").text.startswith("Triples 101–")
    assert counts.startswith("Triples 1–100 of ")


def test_language_choice_persists_across_clicks(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulate(browser, 1366)
    browser.delete_all_cookies()
    browser.get(live_server + "?lang=es")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    browser.find_element(By.CSS_SELECTOR, "table.events tbody a").click()
    WebDriverWait(browser, 20).until(lambda b: "/page/event/" in b.current_url)
    assert "lang=" not in browser.current_url
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert browser.find_element(By.TAG_NAME, "h1").text == "1000 km de Le Mans de 2003"
    assert "9 de noviembre de 2003" in browser.find_element(By.CSS_SELECTOR, "p.subtitle").text
    browser.find_element(By.LINK_TEXT, "English").click()
    WebDriverWait(browser, 20).until(lambda b: "lang=en" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.delete_all_cookies()


def test_query_this_opens_the_editor_with_a_describe(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulate(browser, 1366)
    browser.get(live_server + "page/chassis/audi-r8?lang=en")
    link = browser.find_element(By.CSS_SELECTOR, "a.query-this")
    assert urllib.parse.unquote(link.get_attribute("href")).endswith(
        f"DESCRIBE <{DEFAULT_BASE}id/chassis/audi-r8>")
    link.click()
    editor_text = WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        "var cm = document.querySelector('#yasgui .CodeMirror'); return cm && cm.CodeMirror.getValue()"))
    assert f"DESCRIBE <{DEFAULT_BASE}id/chassis/audi-r8>" in editor_text


def test_yasgui_table_shows_plain_values_with_prefixes(browser, live_server):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    emulate(browser, 1366)
    query = ("SELECT ?driver ?name ?laps WHERE { ?entry rg:driver ?driver ; rg:laps ?laps . "
             "?driver rdfs:label ?name } ORDER BY DESC(?laps) ?name LIMIT 3")
    browser.get("about:blank")
    browser.get(live_server + "sparql#query=" + urllib.parse.quote(query))
    WebDriverWait(browser, 30).until(lambda b: b.execute_script(
        "var cm = document.querySelector('#yasgui .CodeMirror'); return cm && cm.CodeMirror.getValue()") == query)
    # YASGUI runs a query that comes in the link (#query=) by itself; click Run only if it did not, and never
    # while it runs (a click on the busy button aborts the query)
    read_rows = "return document.querySelectorAll('.yasr table.dataTable tbody tr').length"
    busy = "return !!document.querySelector('#yasgui .yasqe_queryButton.busy')"
    try:
        WebDriverWait(browser, 15).until(lambda b: b.execute_script(read_rows) == 3)
    except TimeoutException:
        WebDriverWait(browser, 60).until(lambda b: not b.execute_script(busy))
        if browser.execute_script(read_rows) != 3:
            browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    # read the drawn table in one script call: DataTables may redraw it between two WebDriver calls
    read_table = """
        var table = document.querySelector('.yasr table.dataTable');
        if (!table) { return null; }
        return {
          headers: Array.from(table.querySelectorAll('thead th')).map(function (th) {
            return {text: th.textContent.trim(), clipped: th.scrollWidth > th.clientWidth + 1}; }),
          rows: Array.from(table.querySelectorAll('tbody tr')).map(function (tr) {
            return Array.from(tr.querySelectorAll('td')).map(function (td) { return td.textContent.trim(); }); })
        };"""
    try:
        table = WebDriverWait(browser, 90).until(
            lambda b: (lambda t: t if t and len(t["rows"]) == 3 else None)(b.execute_script(read_table)))
    except TimeoutException:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        full_page_screenshot(browser, SCREENSHOTS / "yasgui-failure.png")
        pytest.fail("no 3-row table; the results area says: "
                    + browser.execute_script("var r = document.querySelector('.yasr'); return r && r.innerText"))
    first = table["rows"][0]
    assert "208" in first, first
    assert not any('"' in text or "^^" in text or "@en" in text for row in table["rows"] for text in row), table
    assert any(text.startswith("rgid:driver/") for text in first), first  # IRIs shortened by the prefixes
    assert [h["text"] for h in table["headers"] if h["text"]] == ["driver", "name", "laps"]
    assert not any(h["clipped"] for h in table["headers"]), table["headers"]
