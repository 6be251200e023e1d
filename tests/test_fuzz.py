"""Random paths and query strings never produce a 500 or a traceback."""

from urllib.parse import quote
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

PREFIXES = [
    "/widget/",
    "/api/v1/topics/",
    "/",
    "/stub-covers/",
    "/embed.js/",
    "/admin/",
]
SUFFIXES = ["", "/fragment", "/refresh"]
KEYS = ["count", "layout", "theme", "lang", "due", "x"]
#: Values that once broke widgets, or look like they might.
ODD_VALUES = [
    "²",
    "١٠",
    "1e1",
    "0x5",
    " 5",
    "5 ",
    "de-DE",
    "EN",
    "zh-Hant-TW",
    "purple",
]


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    from widget import create_app

    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        {
            "WIDGET_STORE": f"sqlite:///{tmp}/w.db",
            "WIDGET_INSTANCE_DIR": str(tmp),
            "WIDGET_SCHEDULER": False,
        }
    )
    return app.test_client()


segments = st.one_of(
    st.sampled_from(["nasa-artemis", "science-fiction", "..", "%00", "a" * 300]),
    st.text(min_size=0, max_size=40),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
    st.one_of(
        st.sampled_from(["1", "10", "11", "-1", "grid", "dark", "en", *ODD_VALUES]),
        st.text(),
    ),
    max_size=4,
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    prefix=st.sampled_from(PREFIXES),
    segment=segments,
    suffix=st.sampled_from(SUFFIXES),
    query=queries,
    method=st.sampled_from(["GET", "GET", "HEAD", "POST", "PUT", "DELETE"]),
    accept=st.sampled_from(["text/html", "application/json", "*/*", ""]),
)
def test_no_request_gets_a_500(
    fuzz_client, prefix, segment, suffix, query, method, accept
):
    path = prefix + quote(segment, safe="/") + suffix
    query_string = urlencode(query)
    response = fuzz_client.open(
        path, method=method, query_string=query_string, headers={"Accept": accept}
    )
    assert response.status_code < 500 or response.status_code == 503, (path, query)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    response.close()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    suffix=st.sampled_from(["", "/fragment"]),
    query=queries,
    origin=st.one_of(
        st.none(),
        st.sampled_from(
            ["null", "https://x.example", "http://[::1", "https://a:99999"]
        ),
        # What a client can send: printable ASCII, no line breaks.
        st.text(st.characters(min_codepoint=32, max_codepoint=126)),
    ),
)
def test_a_widget_answers_every_query_with_a_box(fuzz_client, suffix, query, origin):
    """Parameters never break a widget: whatever the query, a box (200),
    and anything it ignored is named in an ASCII ``Widget-Warning``."""
    headers = {} if origin is None else {"Origin": origin}
    response = fuzz_client.get(
        "/widget/nasa-artemis" + suffix, query_string=urlencode(query), headers=headers
    )
    assert response.status_code == 200, query
    assert response.get_data(as_text=True).count("<li>") >= 1
    assert response.headers.get("Widget-Warning", "").isascii()
    response.close()
