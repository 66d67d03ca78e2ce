"""Settings from the environment get the type of their default, or the app refuses to start."""

import pytest

from server import create_app
from server.settings import SettingError


@pytest.mark.parametrize("word, expected", [("False", False), ("false", False), ("0", False), ("off", False),
                                            ("True", True), ("yes", True), ("1", True)])
def test_boolean_settings_from_the_environment(monkeypatch, tmp_path, word, expected):
    monkeypatch.setenv("RACEGRAPH_ALLOW_REMOTE_SERVICE", word)
    app = create_app({"STORE": str(tmp_path)})
    assert app.config["ALLOW_REMOTE_SERVICE"] is expected


def test_integer_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RACEGRAPH_QUERY_TIMEOUT", "7")
    assert create_app({"STORE": str(tmp_path)}).config["QUERY_TIMEOUT"] == 7


@pytest.mark.parametrize("name, value", [("ALLOW_REMOTE_SERVICE", "maybe"), ("QUERY_TIMEOUT", "30s")])
def test_settings_that_do_not_fit_are_refused(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"RACEGRAPH_{name}", value)
    with pytest.raises(SettingError, match=f"RACEGRAPH_{name}"):
        create_app({"STORE": str(tmp_path)})
