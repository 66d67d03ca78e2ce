"""/api/openapi.json is a valid OpenAPI 3.1 document, and the live server's answers (JSON, CSV, errors) on
every path it describes validate against it (openapi-core, with real requests to a real server)."""

from __future__ import annotations

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_spec_validator import validate

pytestmark = pytest.mark.live

IDS = {"events": "2003-1000-km-of-le-mans", "drivers": "tom-kristensen", "teams": "audi-sport-japan-team-goh",
       "chassis": "audi-r8", "engines": "audi-3-6l-turbo-v8", "circuits": "bugatti-circuit"}


@pytest.fixture(scope="module")
def spec(live_server) -> dict:
    response = requests.get(live_server + "api/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    document = response.json()
    validate(document)
    return document


@pytest.fixture(scope="module")
def openapi(spec) -> OpenAPI:
    # openapi-core knows JSON and forms; CSV is validated as the UTF-8 text the description says it is
    config = Config(extra_media_type_deserializers={"text/csv": lambda body, **_: body.decode("utf-8")})
    return OpenAPI.from_dict(spec, config=config)


def requested_paths(spec: dict) -> list[str]:
    """One real request for every path the description lists, with the ids of things that exist."""
    found = []
    for template in spec["paths"]:
        kind = template.split("/")[1]
        found.append(template.replace("{id}", IDS.get(kind, "")))
    return found


def check(openapi: OpenAPI, response: requests.Response) -> None:
    openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))


def test_the_description_covers_every_list_and_filter(spec):
    assert {"/events", "/drivers", "/teams", "/chassis", "/engines", "/circuits", "/results",
            "/drivers/{id}/results", "/events/{id}/results", "/drivers.csv"} <= set(spec["paths"])
    names = {parameter["name"] for parameter in spec["paths"]["/events"]["get"]["parameters"]}
    assert {"year", "series", "circuit", "driver", "position", "limit", "offset"} <= names


def test_every_described_path_answers_as_described(live_server, spec, openapi):
    api = live_server.rstrip("/") + "/api"
    checked = 0
    for path in requested_paths(spec):
        response = requests.get(api + path, timeout=60)
        assert response.status_code == 200, (path, response.text[:300])
        check(openapi, response)
        checked += 1
    assert checked == len(spec["paths"]) > 100


@pytest.mark.parametrize("path", [
    "/drivers?limit=3&offset=3", "/results?position=1&class=lmp900", "/events?year=2003&series=le-mans-endurance-series",
    "/drivers/tom-kristensen/results?position=1", "/events?year=1999",
])
def test_filtered_and_paged_answers_match_the_description(live_server, openapi, path):
    for headers in ({}, {"Accept": "text/csv"}):
        response = requests.get(live_server + "api" + path, headers=headers, timeout=60)
        assert response.status_code == 200
        check(openapi, response)


@pytest.mark.parametrize(("path", "status"), [
    ("/drivers?colour=red", 400), ("/events?year=3", 400), ("/drivers/nobody-at-all", 404),
    ("/drivers/nobody-at-all/results", 404),
])
def test_errors_match_the_description(live_server, openapi, path, status):
    response = requests.get(live_server + "api" + path, timeout=60)
    assert response.status_code == status
    check(openapi, response)


def test_an_undescribed_field_would_fail_validation(live_server, openapi):
    """The schemas are strict: the same answer with one extra field does not validate."""
    from openapi_core.validation.response.exceptions import InvalidData

    response = requests.get(live_server + "api/drivers/tom-kristensen", timeout=30)
    check(openapi, response)
    response._content = response.content.replace(b'"name"', b'"nickname": "TK",\n  "name"', 1)
    with pytest.raises(InvalidData):
        check(openapi, response)
