"""Settings from the environment get the type of their default, or the app refuses to start."""

import pytest

from server import create_app
from server.settings import SettingError


@pytest.mark.parametrize("word, expected", [("False", False), ("false", False), ("0", False), ("off", False),
                                            ("True", True), ("yes", True), ("1", True)])
def test_boolean_settings_from_the_environment(monkeypatch, tmp_path, word, expected):
    monkeypatch.setenv("RACEGRAPH_ALLOW_REMOTE_SERVICE", word)
    app = create_app({"TESTING": True, "STORE": str(tmp_path)})
    assert app.config["ALLOW_REMOTE_SERVICE"] is expected


def test_integer_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RACEGRAPH_QUERY_TIMEOUT", "7")
    assert create_app({"TESTING": True, "STORE": str(tmp_path)}).config["QUERY_TIMEOUT"] == 7


@pytest.mark.parametrize("name, value", [("ALLOW_REMOTE_SERVICE", "maybe"), ("QUERY_TIMEOUT", "30s"),
                                         ("MAX_RESULT_BYTES", "10MB"), ("MAX_QUERY_DEPTH", "0"),
                                         ("MAX_QUERY_LENGTH", "-1"), ("MAX_CONTENT_LENGTH", "1.5"),
                                         ("MAX_RESULT_ROWS", "-5"), ("QUERY_WORKERS", "0"),
                                         ("QUERY_TIMEOUT", "true"), ("QUERY_TIMEOUT", "1.5"),
                                         ("QUERY_CACHE_BYTES", "-1")])
def test_settings_that_do_not_fit_are_refused(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"RACEGRAPH_{name}", value)
    with pytest.raises(SettingError, match=f"RACEGRAPH_{name}"):
        create_app({"TESTING": True, "STORE": str(tmp_path)})


@pytest.mark.parametrize("name, value", [("MAX_RESULT_ROWS", -5), ("QUERY_TIMEOUT", 0), ("QUERY_TIMEOUT", True)])
def test_number_settings_refuse_non_positive_and_switch_values_given_in_code(tmp_path, name, value):
    with pytest.raises(SettingError, match=f"RACEGRAPH_{name}"):
        create_app({"TESTING": True, "STORE": str(tmp_path), name: value})


def test_zero_turns_the_answer_cache_off_and_is_refused_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("RACEGRAPH_QUERY_CACHE_BYTES", "0")
    app = create_app({"TESTING": True, "STORE": str(tmp_path)})
    assert app.config["QUERY_CACHE_BYTES"] == 0 and app.extensions["racegraph.answer_cache"] is None
