import re

from widget.catalog.base import CatalogThrottled


def sample(text, name):
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


def test_metrics_count_requests_cache_and_upstream(client):
    for _ in range(3):
        client.get("/widget/nasa-artemis")
    client.get("/widget/no-such-topic")
    response = client.get("/metrics")
    text = response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=0.0.4")
    route = 'widget_http_requests_total{route="widget.widget_document",status="%s"}'
    assert sample(text, route % 200) == 3
    assert sample(text, route % 404) == 1
    assert sample(text, 'widget_cache_requests_total{result="hit"}') == 2
    assert sample(text, 'widget_cache_requests_total{result="miss"}') == 1
    assert sample(text, "widget_upstream_calls_total") == 1
    assert 0 <= sample(text, 'widget_list_age_seconds{topic="nasa-artemis"}') < 60
    assert sample(text, "widget_topics") == 2


def test_metrics_show_upstream_errors_by_kind(make_app, fake_catalog, clock):
    app = make_app(catalog=fake_catalog, clock=clock)
    client = app.test_client()
    client.get("/widget/nasa-artemis")
    fake_catalog.error = CatalogThrottled("slow down", retry_after=60)
    app.extensions["widget"].lists.refresh("nasa-artemis")
    clock.advance(minutes=30)
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, 'widget_upstream_errors_total{kind="throttled"}') == 1
    assert sample(text, 'widget_topic_failing{topic="nasa-artemis"}') == 1
    assert sample(text, 'widget_list_age_seconds{topic="nasa-artemis"}') == 1800


def test_unmatched_routes_do_not_explode_label_cardinality(client):
    for n in range(5):
        client.get(f"/no/such/page/{n}")
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        sample(text, 'widget_http_requests_total{route="unmatched",status="404"}') == 5
    )
    assert "/no/such" not in text
