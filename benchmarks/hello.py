"""The HTTP floor of racegraph's server stack: a Flask app that answers a fixed string, nothing else.

    gunicorn -w 2 -b 127.0.0.1:PORT 'hello:create_app()'   (run from benchmarks/)

benchmarks/run.py serves it with the same server and worker count as racegraph, so the gap between
the two is what racegraph's own work costs, and the gap between this and Oxigraph is the stack's.
"""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "hello\n"

    return app
