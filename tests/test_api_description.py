"""The OpenAPI description is valid, covers exactly the app's API routes, and the app keeps to it under fuzzing."""

import re
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.helpers import fresh_app

FLASK_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
UNDESCRIBED = {"static"}
"""Endpoints that are not the API: static files."""


SCRATCH = tempfile.TemporaryDirectory(prefix="digitpad-described-")
APP = fresh_app(Path(SCRATCH.name))
"""Made at import, because schemathesis makes its tests from the description when the module is collected."""


@pytest.fixture(scope="module")
def described_app():
    return APP


@pytest.fixture(scope="module")
def document(described_app):
    return described_app.test_client().get("/api/openapi.json").get_json()


def test_the_description_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def api_routes(app):
    """(method, path in OpenAPI's spelling) of every route under /api/."""
    return {(method.lower(), FLASK_VARIABLE.sub(r"{\1}", rule.rule))
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/") and rule.endpoint not in UNDESCRIBED
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def described_routes(document):
    return {(method, path) for path, item in document["paths"].items() for method in item}


def test_every_api_route_is_described_and_nothing_else(described_app, document):
    assert api_routes(described_app) == described_routes(document)


def test_the_docs_page_links_the_description(described_app):
    page = described_app.test_client().get("/api/docs")
    assert page.status_code == 200
    assert 'href="/api/openapi.json"' in page.get_data(as_text=True)


fuzzed = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


@fuzzed.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_the_app_keeps_to_its_description(case):
    """No 5xx, every answer's status documented and its body matching the description's schema.

    A request the description allows may still be refused with a documented 4xx (an empty picture, a
    model name nobody serves, a name with control characters): that check alone is left out.
    """
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
