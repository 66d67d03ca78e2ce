"""The SERVICE gate's scan, checked against the engine it protects.

The differential test puts a real SERVICE call (in every spelling the engine accepts) among noise
chosen to confuse a scanner (quotes, comment marks, `<` that may be an IRI or a comparison, escapes)
and runs every text the gate lets through on pyoxigraph, with a counting listener on 127.0.0.1 as
the SERVICE target. Whatever the engine makes of the text, it must never connect. With the gate's
refusal switched off, this test fails within a few examples (checked by hand), so it can fail.
The unit tests pin the scan's reading of single constructs.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.query_gate import (QueryTooComplex, ServiceRefused, UpdateRefused, check_query, measure_nesting,
                              scan_query)

pytestmark = pytest.mark.security


@pytest.fixture(scope="module")
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    seen = []

    def accept():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            seen.append(1)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield sock.getsockname()[1], seen
    sock.close()


# a real SERVICE call, in the spellings the engine accepts
CALLS = ["SERVICE <{url}> {}", "service<{url}>{}", "SERVICE:x {}", "service:x{}", "SERVICEx:t {}",
         "SERVICESILENT<{url}>{}", "SERVICE#c\n<{url}> {}", "SERVICE\r<{url}>{}", "SeRvIcE SILENT :x {}",
         "LATERAL { SERVICE:x {} }", "OPTIONAL { SERVICE:x {} }", "{ SELECT * { SERVICE:x {} } }"]
# what may stand around it: harmless patterns, and openers and closers of strings, comments and
# IRIs that may (or may not) swallow the call, as a scanner could misjudge
NOISE = ["?s ?p ?o .", "BIND(1 AS ?a)", "FILTER(?a<?b)", "FILTER(?a<=?b)", "FILTER(?a>?b)", '"', "'", '"""',
         "'" * 3, "#", "\n", "\r", "<", ">", "\\", "\\u0022", '\\"', "{", "}", ".", "?service", "ex:a\\#",
         "_:service", "<<( ?s ?p ?o )>>", '"x"@en--ltr', "<http://x/service>", "1", ")", "("]
PROLOGUE = "PREFIX : <{base}> PREFIX x: <{base}> PREFIX service: <{base}> PREFIX ex: <{base}> "
NOISE_LIST = st.lists(st.tuples(st.sampled_from(NOISE), st.sampled_from(["", " "])), max_size=5)


@settings(max_examples=int(os.environ.get("RACEGRAPH_FUZZ_EXAMPLES", "600")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(before=NOISE_LIST, call=st.sampled_from(CALLS), after=NOISE_LIST)
def test_no_text_the_gate_passes_makes_the_engine_connect(listener, before, call, after):
    port, seen = listener
    body = "".join(n + gap for n, gap in before) + " " + call + " " + "".join(n + gap for n, gap in after)
    query = (PROLOGUE + "SELECT * WHERE { " + body + " }").replace("{url}", f"http://127.0.0.1:{port}/").replace(
        "{base}", f"http://127.0.0.1:{port}/")
    try:
        check_query(query, allow_service=False)
    except (ServiceRefused, QueryTooComplex, UpdateRefused):
        return
    before_count = len(seen)
    try:
        result = ox.Store().query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    time.sleep(0.01)
    assert len(seen) == before_count, f"the gate passed a query that connected: {query!r}"


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://x/> {} }",
    "select * { service <http://x/> {} }",
    "PREFIX : <http://x/> SELECT * { SERVICE:x {} }",
    "PREFIX x: <http://x/> SELECT * { SERVICEx:t {} }",
    "SELECT * { _:service ?p ?o }",  # a blank-node label: not the keyword, but not provably so
    'SELECT * { ?s ?p "x"@en-service }',
    "SELECT * { FILTER(?a<?b)SERVICE:x#>\n{} }",
    "SELECT * { \\u0053ERVICE <http://x/> {} }",
])
def test_may_use_service(query):
    assert scan_query(query).may_use_service


@pytest.mark.parametrize("query", [
    "SELECT * {}",
    "# SERVICE <http://x/> {}\nSELECT * {}",
    'SELECT * { FILTER(?o = "SERVICE <http://x/> {}") }',
    "SELECT * { FILTER(?o = '''a ' SERVICE''') }",
    "SELECT ?service { ?service ?p ?o }",
    "PREFIX ex: <http://x/> SELECT * { ?s ?p ex:a.SERVICE:x }",
    "SELECT * { ?s ?p <http://x/service#x> }",
    'SELECT * { ?s ?p "\\u0022 SERVICE <http://x/> {}" }',
])
def test_inert_service(query):
    assert not scan_query(query).may_use_service


def test_prefixes_and_base_are_read_from_the_prologue():
    facts = scan_query('BASE <http://x/a/> PREFIX ex: <b/> PREFIX : <http://y/> VERSION "1.2" SELECT * {}')
    assert facts.prefixes == {"ex": "http://x/a/b/", "": "http://y/"}
    assert not facts.is_update


@pytest.mark.parametrize("text", ["INSERT DATA { <a> <b> <c> }", "PREFIX ex: <x> load <http://x/>",
                                  "# comment\nDELETE WHERE { ?s ?p ?o }", "CLEAR ALL"])
def test_updates_are_recognised(text):
    with pytest.raises(UpdateRefused):
        check_query(text, allow_service=True)


def test_nesting_counts_code_not_strings():
    # { ( is two levels; SELECT * { is the longest group (three elements)
    assert measure_nesting('SELECT * { FILTER(?x = "((((((((((((((((((((((((((((((((((((((((") }') == (2, 3)
    assert measure_nesting("SELECT * { FILTER(!!!(true)) }")[0] == 5  # { ( and three negations


def test_a_big_values_block_is_not_counted_as_a_chain():
    check_query("SELECT * { VALUES ?x {" + " 1" * 50_000 + " } }", allow_service=False)
