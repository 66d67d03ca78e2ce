"""cProfile of one /sparql request repeated in one server process: where a light request's time goes.

    python benchmarks/profile_request.py STORE_DIR ["ASK {}"]

Flask's test client (no HTTP, no gunicorn), both answer caches off so every request meets a query
worker. Prints the mean time per request without the profiler, then the profile by cumulative time.
"""
import cProfile
import pstats
import sys
import time
from urllib.parse import quote

from server import create_app
from server.query_runner import close_pools

store = sys.argv[1]
query = sys.argv[2] if len(sys.argv) > 2 else "ASK {}"
app = create_app({"STORE": store, "QUERY_CACHE_BYTES": 0, "RESPONSE_CACHE_BYTES": 0})
client = app.test_client()
url = "/sparql?query=" + quote(query)
headers = {"Accept": "application/sparql-results+json"}
for _ in range(200):
    assert client.get(url, headers=headers).status_code == 200
n = 3000
start = time.perf_counter()
for _ in range(n):
    client.get(url, headers=headers)
plain = (time.perf_counter() - start) / n
profile = cProfile.Profile()
profile.enable()
for _ in range(n):
    client.get(url, headers=headers)
profile.disable()
print(f"{plain * 1000:.3f} ms per request without the profiler, {query!r}")
pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
close_pools(app)
