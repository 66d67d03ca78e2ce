"""Statistics computed by SPARQL, checked against the results table `racegraph results` reads; and the
inline SVG charts, checked for structure (svg, title, one mark per datum) against their own tables."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pyoxigraph
import pytest

SVG = "{http://www.w3.org/2000/svg}"
EVENT = "/page/event/2003-1000-km-of-le-mans"


@pytest.fixture(scope="module")
def seed(built_store):
    from graph.results import event_results

    store = pyoxigraph.Store.read_only(str(built_store / "store"))
    return event_results(store)[0]["entries"]


def page_json(client, path):
    response = client.get(path + ".json")
    assert response.status_code == 200
    return json.loads(response.data)


def figures(data) -> dict:
    return {item["key"]: item for item in data["statistics"]["figures"]}


def expected_record(entries) -> dict:
    """A record worked out here from the printed results table, independently of the SPARQL."""
    positions = [int(e["pos"]) for e in entries if e["pos"].isdigit()]
    return {"starts": sum(1 for e in entries if e["pos"] not in ("DNS", "DNA")),
            "wins": positions.count(1), "podiums": sum(1 for p in positions if p <= 3),
            "best_result": min(positions) if positions else None,
            "laps_completed": sum(e["laps"] or 0 for e in entries), "entries": len(entries),
            "finishes": len(positions)}


@pytest.mark.parametrize("driver, name", [("tom-kristensen", "Tom Kristensen"), ("robbie-stirling", "Robbie Stirling"),
                                          ("jamie-davies", "Jamie Davies"), ("olivier-beretta", "Olivier Beretta")])
def test_driver_statistics_agree_with_the_results_table(client, seed, driver, name):
    mine = [e for e in seed if any(person == name for _, person in e["drivers"])]
    assert mine, name
    expected = expected_record(mine)
    got = figures(page_json(client, f"/page/driver/{driver}"))
    for key in ("starts", "wins", "podiums", "best_result", "laps_completed"):
        assert got[key]["value"] == expected[key], key
    assert got["class_wins"]["derived"] and got["distance_completed"]["derived"]
    assert not got["wins"]["derived"] and got["distance_completed"]["unit"] == "km"
    data = page_json(client, f"/page/driver/{driver}")
    mates = {m["label"] for m in data["statistics"]["team_mates"]}
    assert mates == {person for e in mine for _, person in e["drivers"]} - {name}
    assert data["statistics"]["team_mate_total"] == len(mates)


def test_distance_completed_is_laps_times_lap_length(client):
    data = page_json(client, "/page/driver/tom-kristensen")
    assert Decimal(str(figures(data)["distance_completed"]["value"])) == Decimal("869.44")  # 208 x 4.18 km


def test_maker_statistics(client, seed):
    mine = [e for e in seed if e["chassis"] == "Porsche 996 GT3-RS"]
    expected = expected_record(mine)
    got = figures(page_json(client, "/page/chassis/porsche-996-gt3-rs"))
    assert got["entries"]["value"] == expected["entries"] > 1
    assert got["wins"]["value"] == expected["wins"]
    rate = round(expected["finishes"] * 100 / expected["starts"], 1)
    assert got["finishing_rate"]["value"] == pytest.approx(rate) and got["finishing_rate"]["unit"] == "%"
    class_winners = {}
    for entry in seed:  # the best classified car of each class
        if entry["pos"].isdigit():
            class_winners.setdefault(entry["class"], entry)
    assert got["class_wins"]["value"] == sum(1 for e in class_winners.values() if e in mine) and got["class_wins"]["derived"]
    team = figures(page_json(client, "/page/team/audi-sport-japan-team-goh"))
    assert (team["entries"]["value"], team["wins"]["value"], team["class_wins"]["value"]) == (1, 1, 1)


def test_event_statistics_finishers_by_class_and_margin(client, seed):
    data = page_json(client, EVENT)
    by_class = {row["label"]: (row["finishers"], row["entries"]) for row in data["statistics"]["by_class"]}
    expected = {}
    for entry in seed:
        finishers, entries = expected.get(entry["class"], (0, 0))
        expected[entry["class"]] = (finishers + entry["pos"].isdigit(), entries + 1)
    assert by_class == expected
    got = figures(data)
    laps = {int(e["pos"]): e["laps"] for e in seed if e["pos"].isdigit()}
    assert got["winners_margin"]["value"] == laps[1] - laps[2] == 3 and got["winners_margin"]["derived"]
    assert got["finishers"]["value"] == sum(f for f, _ in expected.values())


def test_statistics_link_to_the_query_that_computed_them(client):
    html = client.get("/page/driver/tom-kristensen?lang=en").get_data(as_text=True)
    section = re.search(r'<section class="statistics".*?</section>', html, re.S).group(0)
    assert section.count('class="derived"') == 2  # class wins, distance
    link = re.search(r'<a href="(/sparql#query=[^"]+)">Computed by SPARQL', section).group(1)
    from urllib.parse import unquote
    query = unquote(link.split("#query=", 1)[1])
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    row = json.loads(response.data)["results"]["bindings"][0]
    assert row["starts"]["value"] == "1" and row["laps"]["value"] == "208"


# --- charts ------------------------------------------------------------------------------------------

def inline_svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert match, chart_id
    return ET.fromstring(match.group(0))


def chart_table(html: str, chart_id: str) -> list[list[str]]:
    figure = html[html.index(f'id="{chart_id}"'):]
    table = re.search(r'<table class="chart-data">.*?</table>', figure, re.S).group(0)
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]


def marks(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if (g.get("class") or "").split()[:1] in (["bar"], ["dots"])]


def assert_accessible(svg: ET.Element, title: str) -> None:
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text == title
    assert svg.find(f"{SVG}desc").get("id") == desc_id and len(svg.find(f"{SVG}desc").text) > 40
    assert not list(svg.iter(f"{SVG}script"))


def test_event_chart_has_one_bar_per_car_matching_its_table(client, seed):
    html = client.get(EVENT + "?lang=en").get_data(as_text=True)
    svg = inline_svg(html, "chart-laps")
    assert_accessible(svg, "Laps completed per car")
    table = chart_table(html, "chart-laps")
    cars_with_laps = [e for e in seed if e["laps"] is not None]
    assert [row[0] for row in table] == [f"#{e['no']}" for e in cars_with_laps]
    bars = marks(svg)
    assert len(bars) == len(table) == len(cars_with_laps)
    drawn = sorted((bar.get("data-x"), bar.get("data-series"), bar.get("data-value")) for bar in bars)
    assert drawn == sorted((row[0], row[1], row[2]) for row in table)
    assert all(bar.find(f"{SVG}title") is not None for bar in bars)  # a tooltip without script
    legend = {text.text for g in svg.iter(f"{SVG}g") if "legend" in (g.get("class") or "") for text in g.iter(f"{SVG}text")}
    assert {e["class"] for e in seed} <= legend


def test_driver_chart_one_dot_per_classified_result(client):
    html = client.get("/page/driver/tom-kristensen?lang=en").get_data(as_text=True)
    svg = inline_svg(html, "chart-results")
    assert_accessible(svg, "Results over time")
    table = chart_table(html, "chart-results")
    assert table == [["9 Nov 2003", "2003 1000 km of Le Mans", "1"]]
    assert [(dot.get("data-x"), dot.get("data-value")) for dot in marks(svg)] == [("9 Nov 2003", "1")]
    # an unclassified driver has no point, and so no chart, but still the table row of the page
    html = client.get("/page/driver/robbie-stirling?lang=en").get_data(as_text=True)
    assert 'id="chart-results"' not in html


def test_class_wins_by_manufacturer_chart(client, seed):
    html = client.get("/page/manufacturer?lang=en").get_data(as_text=True)
    svg = inline_svg(html, "chart-class-wins")
    assert_accessible(svg, "Class wins by chassis manufacturer")
    header = re.findall(r'<th scope="col">(.*?)</th>', html[html.index('class="chart-data"'):])
    classes = header[1:header.index("Class") if "Class" in header else None]
    table = chart_table(html, "chart-class-wins")
    drawn = sorted((m.get("data-x"), m.get("data-series"), m.get("data-value")) for m in marks(svg))
    expected = sorted((row[0], cls, count) for row in table for cls, count in zip(classes, row[1:]) if count != "0")
    won = {e["class"] for e in seed if e["pos"].isdigit()}  # a class with a classified car has a winner
    assert drawn == expected and len(drawn) == len(won) == 4
    assert sum(int(count) for row in table for count in row[1:]) == len(won)


def test_page_json_carries_chart_numbers_not_svg(client):
    data = page_json(client, EVENT)
    assert "svg" not in data["laps_chart"] and len(data["laps_chart"]["rows"]) == 35
