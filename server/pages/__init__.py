"""HTML pages for people (and their JSON): home, search, one page per thing. The routes are in `views`."""

from server.pages.views import bp

__all__ = ["bp"]
