"""Load and fault behaviour (issue #8) and serving a new build without a restart (issue #10).

Everything here is real: worker processes killed with SIGKILL, real `racegraph build` processes killed
mid-build, gunicorn and `racegraph serve` on 127.0.0.1 with a client looping on them. No timings are
asserted (they live in benchmarks/reliability.py and docs/reliability.md); orderings are: a page is
answered while the SPARQL lane is full, the 503 comes before the slow queries end, and so on.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from graph.paths import BUNDLED_ARTICLES
from graph.store import read_build_info
from graph.store_dir import builds_folder, hold_build, prune, recover
from graph.uris import DEFAULT_BASE
from server import create_app
from server.query_runner import close_pools
from conftest import free_port, wait_for_port

pytestmark = pytest.mark.live

FIXTURE_ARTICLES = Path(__file__).parent / "fixtures" / "articles"
NEW_EVENT = "2004-1000-km-of-nurburgring"  # in the fixtures, not in the bundled articles
SLOW = "SELECT (COUNT(*) AS ?n) { ?a a ?c . ?d ?e ?f }"  # a few seconds on the bundled graph
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # hours on the bundled graph
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def racegraph(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True,
                          timeout=300, **options)


def build_into(out: Path, *sources: Path) -> str:
    done = racegraph("build", "--out", str(out), *map(str, sources))
    assert done.returncode == 0, done.stderr
    return read_build_info(out).data["build_id"]


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), command)
    return found


def workers_of(parents: set[int]) -> set[int]:
    """Query and store worker processes whose parent is one of `parents`."""
    return {pid for pid, (parent, command) in processes().items()
            if parent in parents and ("server.query_worker" in command or "server.store_worker" in command)}


def wait_until(condition, timeout: float = 20.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").exists() and " Z " in Path(f"/proc/{pid}/stat").read_text()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reliability") / "graph"
    build_into(out, BUNDLED_ARTICLES)
    return out


def make_app(store: Path, **settings):
    # no answer cache: a repeated query must reach a worker, or the faults under test would go unseen
    app = create_app({"TESTING": True, "STORE": str(store), "QUERY_WORKERS": 1, "QUERY_CACHE_BYTES": 0,
                      "RESPONSE_CACHE_BYTES": 0, **settings})
    app.testing = False  # let the error handler answer, as in production
    return app


def sparql(client, query: str, address: str = "127.0.0.1"):
    return client.get("/sparql", query_string={"query": query}, headers=JSON_RESULTS,
                      environ_base={"REMOTE_ADDR": address})


# ---- builds: atomic publish, recovery, pruning ---------------------------------------------------

def test_a_build_is_published_as_a_link_to_its_own_folder_and_the_previous_is_kept(tmp_path):
    out = tmp_path / "graph"
    first = build_into(out, BUNDLED_ARTICLES)
    second = build_into(out, BUNDLED_ARTICLES)
    assert first != second
    assert out.is_symlink() and Path(os.readlink(out)).name == second
    assert sorted(p.name for p in builds_folder(out).iterdir()) == sorted([first, second])
    third = build_into(out, BUNDLED_ARTICLES)
    assert sorted(p.name for p in builds_folder(out).iterdir()) == sorted([second, third])


def test_a_build_a_reader_holds_is_not_pruned(tmp_path):
    out = tmp_path / "graph"
    first = build_into(out, BUNDLED_ARTICLES)
    held = hold_build(builds_folder(out) / first)
    try:
        build_into(out, BUNDLED_ARTICLES)
        build_into(out, BUNDLED_ARTICLES)
        assert (builds_folder(out) / first / "build.json").is_file()
    finally:
        held.close()
    assert builds_folder(out) / first in prune(out)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_builds_are_recovered(tmp_path):
    out = tmp_path / "graph"
    build_id = build_into(out, BUNDLED_ARTICLES)
    stale = builds_folder(out) / f"building-{dead_pid()}"
    (stale / "store").mkdir(parents=True)
    legacy_staging = tmp_path / f".graph.building-{dead_pid()}"
    legacy_staging.mkdir()
    half_link = tmp_path / f".graph.link-{dead_pid()}"
    half_link.symlink_to("nowhere")
    out.unlink()  # a crash after the old layout moved the build aside, or a link lost by hand
    recover(out)
    assert not stale.exists() and not legacy_staging.exists() and not os.path.lexists(half_link)
    assert read_build_info(out).data["build_id"] == build_id  # pointed at the newest finished build


def test_the_old_layouts_build_moved_aside_is_moved_back(tmp_path):
    """Issue #8: a crash between the two renames of the old swap left no output folder and the old
    build stranded in `.graph.old-PID`; the next build now puts it back before anything else."""
    out = tmp_path / "graph"
    build_into(out, BUNDLED_ARTICLES)
    plain = tmp_path / "plain"
    shutil.copytree(out, plain)  # a build folder as the old layout made it: a plain folder
    out.unlink()
    shutil.rmtree(builds_folder(out))
    stranded = tmp_path / f".graph.old-{dead_pid()}"
    plain.rename(stranded)
    recover(out)
    assert out.is_dir() and not stranded.exists()
    assert racegraph("query", "--store", str(out), "--format", "json", "ASK { ?s ?p ?o }").returncode == 0
    build_into(out, BUNDLED_ARTICLES)  # a plain folder is adopted into the builds folder, then linked
    assert out.is_symlink() and len(list(builds_folder(out).iterdir())) == 2


def test_sigkill_of_a_build_at_any_moment_leaves_the_previous_build_served(tmp_path):
    out = tmp_path / "graph"
    first = build_into(out, BUNDLED_ARTICLES)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--store", str(out), "--port", str(port)],
                              stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        page = f"http://127.0.0.1:{port}/page/event/2003-1000-km-of-le-mans"
        assert requests.get(page, timeout=30).status_code == 200
        for delay in (0.3, 1.0, 1.8, 3.0):
            build = subprocess.Popen([sys.executable, "-m", "graph.cli", "build", "--out", str(out),
                                      str(BUNDLED_ARTICLES), str(FIXTURE_ARTICLES)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            build.kill()
            build.wait()
            info = read_build_info(out).data
            served = info["build_id"]
            if served != first:
                # the kill came after the swap (or the build had finished): what is served is the new
                # build whole, never a part of it
                assert info["conforms"] and info["counts"]["events"] == 2, info
            assert requests.get(page, timeout=30).status_code == 200
            assert racegraph("query", "--store", str(out), "--format", "json", "ASK { ?s ?p ?o }").returncode == 0
            first = served
        final = build_into(out, BUNDLED_ARTICLES, FIXTURE_ARTICLES)
        assert not [p for p in builds_folder(out).iterdir() if p.name.startswith("building-")]
        assert wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/page/event/{NEW_EVENT}",
                                               timeout=30).status_code == 200, timeout=10)
        assert read_build_info(out).data["build_id"] == final
    finally:
        server.terminate()
        server.wait(30)


# ---- query workers: faults, admission, memory ---------------------------------------------------

def test_a_worker_killed_mid_query_is_replaced_and_the_query_retried(store):
    app = make_app(store)
    try:
        client = app.test_client()
        assert sparql(client, "ASK {}").status_code == 200
        pool = app.extensions["racegraph.query_pool"]
        with ThreadPoolExecutor(1) as running:
            answer = running.submit(sparql, client, SLOW)
            assert wait_until(lambda: pool.busy_worker_pids())
            victim = pool.busy_worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            response = answer.result(120)
        assert response.status_code == 200, response.data
        assert victim not in pool.idle_worker_pids()
    finally:
        close_pools(app)


def test_a_worker_that_dies_twice_on_one_query_is_503_not_500(store):
    app = make_app(store)
    try:
        client = app.test_client()
        pool = app.extensions["racegraph.query_pool"] if app.extensions["racegraph.query_pool"] else None
        with ThreadPoolExecutor(1) as running:
            answer = running.submit(sparql, client, ENDLESS)
            victims = []
            for _ in range(2):
                assert wait_until(lambda: app.extensions["racegraph.query_pool"] is not None
                                  and set(app.extensions["racegraph.query_pool"].busy_worker_pids()) - set(victims))
                pool = app.extensions["racegraph.query_pool"]
                victim = (set(pool.busy_worker_pids()) - set(victims)).pop()
                os.kill(victim, signal.SIGKILL)
                victims.append(victim)
            response = answer.result(120)
        assert response.status_code == 503, response.data
        assert "Retry-After" in response.headers
        assert sparql(client, "ASK {}").status_code == 200  # a fresh worker took over
    finally:
        close_pools(app)


def test_a_query_past_the_worker_memory_cap_is_503(store):
    doubling = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(40))
    query = f'SELECT (STRLEN(?s40) AS ?n) {{ BIND("0123456789abcdef" AS ?s0) {doubling} }}'
    app = make_app(store, QUERY_WORKER_MEMORY_MB=1024, QUERY_TIMEOUT=60)
    try:
        client = app.test_client()
        response = sparql(client, query)
        assert response.status_code == 503, response.data
        assert sparql(client, "ASK {}").status_code == 200
    finally:
        close_pools(app)


def test_requests_beyond_workers_and_queue_are_refused_at_once_with_503(store):
    app = make_app(store, QUERY_QUEUE=1, QUERY_TIMEOUT=3)
    try:
        client = app.test_client()
        assert sparql(client, "ASK {}").status_code == 200
        with ThreadPoolExecutor(2) as running:
            slow = [running.submit(sparql, client, ENDLESS, f"10.0.0.{i}") for i in (1, 2)]
            pool = app.extensions["racegraph.query_pool"]
            assert wait_until(lambda: pool.busy_worker_pids() and pool._admitted == 2)
            refused = sparql(client, "ASK {}", "10.0.0.3")
            assert not any(future.done() for future in slow)  # refused while both were still admitted
            assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
            assert sorted(future.result(60).status_code for future in slow) == [503, 503]  # the timeout
    finally:
        close_pools(app)


@contextmanager
def one_endless_query_admitted(app, send, client_address: str):
    """While the body runs, an endless query that `send(client, query, address)` sent for
    `client_address` holds a query worker (admitted, not finished); its answer is awaited after."""
    client = app.test_client()
    with ThreadPoolExecutor(1) as running:
        slow = running.submit(send, client, ENDLESS, client_address)
        extensions = app.extensions
        assert wait_until(lambda: extensions["racegraph.query_pool"] is not None
                          and extensions["racegraph.query_pool"]._admitted == 1)
        yield client, slow
        slow.result(60)


def test_one_client_past_its_share_gets_429_while_others_are_served(store):
    app = make_app(store, QUERY_QUEUE=4, MAX_QUERIES_PER_CLIENT=1, QUERY_TIMEOUT=3)
    try:
        with one_endless_query_admitted(app, sparql, "10.0.0.1") as (client, slow):
            second = sparql(client, "ASK {}", "10.0.0.1")
            assert second.status_code == 429 and second.headers["Retry-After"] == "1"
            assert not slow.done()
        assert sparql(client, "ASK {}", "10.0.0.1").status_code == 200  # its share is free again
    finally:
        close_pools(app)


def forwarded_sparql(client, query: str, forwarded_for: str):
    """A query arriving through a reverse proxy at 10.9.9.9 on behalf of `forwarded_for`."""
    return client.get("/sparql", query_string={"query": query}, headers={**JSON_RESULTS, "X-Forwarded-For": forwarded_for},
                      environ_base={"REMOTE_ADDR": "10.9.9.9"})


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_share(store):
    app = make_app(store, QUERY_WORKERS=2, QUERY_QUEUE=4, MAX_QUERIES_PER_CLIENT=1, QUERY_TIMEOUT=3, PROXY_HOPS=1)
    try:
        with one_endless_query_admitted(app, forwarded_sparql, "192.0.2.1") as (client, _):
            assert forwarded_sparql(client, "ASK {}", "192.0.2.1").status_code == 429
            assert forwarded_sparql(client, "ASK {}", "192.0.2.2").status_code == 200  # same proxy, other client
    finally:
        close_pools(app)


def test_without_proxy_hops_a_forwarded_header_is_not_believed(store):
    app = make_app(store, QUERY_QUEUE=4, MAX_QUERIES_PER_CLIENT=1, QUERY_TIMEOUT=3)
    try:
        with one_endless_query_admitted(app, forwarded_sparql, "192.0.2.1") as (client, _):
            # a client cannot escape its share by writing the header itself
            assert forwarded_sparql(client, "ASK {}", "192.0.2.2").status_code == 429
    finally:
        close_pools(app)


def test_pages_are_answered_while_the_sparql_lane_is_full(store):
    app = make_app(store, QUERY_QUEUE=1, QUERY_TIMEOUT=6)
    try:
        client = app.test_client()
        assert sparql(client, "ASK {}").status_code == 200
        with ThreadPoolExecutor(2) as running:
            slow = [running.submit(sparql, client, ENDLESS, f"10.0.0.{i}") for i in (1, 2)]
            pool = app.extensions["racegraph.query_pool"]
            assert wait_until(lambda: pool._admitted == 2)
            assert sparql(client, "ASK {}", "10.0.0.3").status_code == 503  # the SPARQL lane is full
            page = client.get("/page/event/2003-1000-km-of-le-mans")
            document = client.get("/id/driver/tom-kristensen", headers={"Accept": "text/turtle"},
                                  follow_redirects=True)
            assert not any(future.done() for future in slow)
            assert page.status_code == 200 and document.status_code == 200
    finally:
        close_pools(app)


def test_the_servers_own_queries_are_stopped_at_page_timeout(store):
    app = make_app(store, PAGE_TIMEOUT=1)
    try:
        from server.db import get_store

        with app.test_request_context("/page/event/x"):
            app.preprocess_request()
            store_view = get_store()
            assert store_view.query("ASK { ?s ?p ?o }") is True
            with pytest.raises(Exception) as stopped:
                store_view.query(ENDLESS)
            assert getattr(stopped.value, "code", None) == 503
        pool = app.extensions["racegraph.page_pool"]
        assert wait_until(lambda: not pool.busy_worker_pids(), timeout=5)
    finally:
        close_pools(app)


# ---- a new build served without a restart, under load (issue #10) ---------------------------------

def gunicorn(store: Path, port: int, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, RACEGRAPH_STORE=str(store), WEB_CONCURRENCY="2", RACEGRAPH_QUERY_CACHE_BYTES="0",
               RACEGRAPH_RESPONSE_CACHE_BYTES="0")
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_config",
                             "-b", f"127.0.0.1:{port}", *extra, "server:create_app()"],
                            env=env, stderr=subprocess.DEVNULL)


def gunicorn_workers(master: int) -> set[int]:
    return {pid for pid, (parent, command) in processes().items() if parent == master and "gunicorn" in command}


def test_a_rebuild_under_a_live_server_is_served_without_a_failed_request(tmp_path):
    out = tmp_path / "graph"
    first = build_into(out, BUNDLED_ARTICLES)
    port = free_port()
    server = gunicorn(out, port)
    root = f"http://127.0.0.1:{port}/"
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def loop() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                for path, headers in (("page/event/2003-1000-km-of-le-mans", {}),
                                      ("id/driver/tom-kristensen", {"Accept": "text/turtle"}),
                                      ("sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", JSON_RESULTS)):
                    response = session.get(root + path, headers=headers, timeout=60)
                    answered[0] += 1
                    if response.status_code != 200:
                        failures.append(f"{path}: {response.status_code} {response.text[:200]}")

    try:
        wait_for_port(port, server)
        tag = requests.get(root + "page/event/2003-1000-km-of-le-mans", timeout=30).headers["ETag"]
        clients = [threading.Thread(target=loop) for _ in range(3)]
        for thread in clients:
            thread.start()
        time.sleep(0.5)
        second = build_into(out, BUNDLED_ARTICLES, FIXTURE_ARTICLES)
        assert second != first
        new_event = root + f"page/event/{NEW_EVENT}"
        assert wait_until(lambda: requests.get(new_event, timeout=30).status_code == 200, timeout=5)
        ask = requests.get(root + "sparql", params={"query": f"ASK {{ <{DEFAULT_BASE}id/event/{NEW_EVENT}> ?p ?o }}"},
                           headers=JSON_RESULTS, timeout=30)
        time.sleep(0.5)
        stop.set()
        for thread in clients:
            thread.join(60)
        assert failures == [] and answered[0] > 0
        assert ask.json()["boolean"] is True
        assert requests.get(root + "page/event/2003-1000-km-of-le-mans", timeout=30).headers["ETag"] != tag
    finally:
        stop.set()
        server.terminate()
        server.wait(60)


# ---- gunicorn: worker kills, HUP, SIGTERM drain -------------------------------------------------

def test_a_killed_gunicorn_worker_leaves_no_query_workers_behind(store):
    port = free_port()
    server = gunicorn(store, port)
    try:
        wait_for_port(port, server)
        assert wait_until(lambda: len(gunicorn_workers(server.pid)) == 2)
        victim = sorted(gunicorn_workers(server.pid))[0]
        assert wait_until(lambda: len(workers_of({victim})) == 4)  # 2 query + 2 store workers
        children = workers_of({victim})
        os.kill(victim, signal.SIGKILL)
        assert wait_until(lambda: all(gone(pid) for pid in children), timeout=10)
        response = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                                headers=JSON_RESULTS, timeout=30)
        assert response.status_code == 200
    finally:
        server.terminate()
        server.wait(60)


def test_hup_replaces_gunicorn_workers_and_their_query_workers(store):
    port = free_port()
    server = gunicorn(store, port)
    try:
        wait_for_port(port, server)
        assert wait_until(lambda: len(gunicorn_workers(server.pid)) == 2)
        before = gunicorn_workers(server.pid)
        assert wait_until(lambda: len(workers_of(before)) == 8)
        old_children = workers_of(before)
        os.kill(server.pid, signal.SIGHUP)
        assert wait_until(lambda: len(gunicorn_workers(server.pid) - before) == 2, timeout=60)
        assert wait_until(lambda: all(gone(pid) for pid in old_children), timeout=30)
        response = requests.get(f"http://127.0.0.1:{port}/page/event/2003-1000-km-of-le-mans", timeout=30)
        assert response.status_code == 200
    finally:
        server.terminate()
        server.wait(60)


@pytest.mark.parametrize("kind", ["gunicorn", "racegraph serve"])
def test_sigterm_lets_the_request_in_flight_finish(store, kind):
    port = free_port()
    if kind == "gunicorn":
        server = gunicorn(store, port)
    else:
        server = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--store", str(store),
                                   "--port", str(port)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        assert requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                            headers=JSON_RESULTS, timeout=30).status_code == 200
        parents = {server.pid} | gunicorn_workers(server.pid)
        with ThreadPoolExecutor(1) as running:
            answer = running.submit(requests.get, f"http://127.0.0.1:{port}/sparql", params={"query": SLOW},
                                    headers=JSON_RESULTS, timeout=120)
            time.sleep(1.0)  # the query is running (it takes a few seconds)
            children = workers_of(parents)
            server.send_signal(signal.SIGTERM)
            response = answer.result(120)
        assert response.status_code == 200, response.text
        assert json.loads(response.text)["results"]["bindings"][0]["n"]["value"] != "0"
        assert server.wait(60) == 0
        assert wait_until(lambda: all(gone(pid) for pid in children), timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

