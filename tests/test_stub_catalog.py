import json

import pytest

from widget.catalog.base import NoProductsFound
from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import StubCatalog
from widget.config import ConfigError
from widget.models import Topic


@pytest.fixture(scope="module")
def stub():
    return StubCatalog()


def topic(keywords, **changes):
    return Topic(slug="t", title=keywords, keywords=keywords, **changes)


def test_bundled_catalog_has_eight_topics_of_ten_books(stub):
    titles = [
        "NASA Artemis",
        "Science Fiction",
        "Mars Exploration",
        "Astronomy for Beginners",
        "Python Programming",
        "Italian Cooking",
        "Mountain Hiking",
        "World War II History",
        "Mindfulness",
        "Gardening",
    ]
    for title in titles:
        assert len(stub.top_products(topic(title), 10)) == 10, title


def test_results_are_best_sales_rank_first(stub):
    ranks = [p.sales_rank for p in stub.top_products(topic("nasa artemis"), 10)]
    assert ranks == sorted(ranks)


def test_search_index_filters_items(stub):
    kindle = stub.top_products(topic("science fiction", search_index="KindleStore"), 10)
    books = stub.top_products(topic("science fiction"), 20)
    assert kindle and {p.asin for p in kindle}.isdisjoint({p.asin for p in books})


def test_common_words_do_not_match_everything(stub):
    found = stub.top_products(topic("Astronomy for Beginners"), 20)
    assert all("python" not in p.title.lower() for p in found)


def test_no_match_raises_no_products_found(stub):
    with pytest.raises(NoProductsFound):
        stub.top_products(topic("zzyzx quux"), 10)


def test_links_are_amazon_detail_pages_with_the_tag():
    catalog = StubCatalog(partner_tag="mysite-20", marketplace="www.amazon.co.uk")
    product = catalog.top_products(topic("gardening"), 1)[0]
    assert product.url.startswith(f"https://www.amazon.co.uk/dp/{product.asin}?")
    assert "tag=mysite-20" in product.url


def test_covers_are_served_by_the_service(stub):
    product = stub.top_products(topic("nasa"), 1)[0]
    assert product.image.url.startswith("/stub-covers/")
    name = product.image.url.rsplit("/", 1)[1]
    assert (stub.covers_dir / name).is_file()


def test_another_catalog_file_can_be_swapped_in(make_app, tmp_path):
    path = tmp_path / "mine.json"
    item = json.loads(BUNDLED_CATALOG.read_text())["items"][0]
    item.update(asin="B0MINE0001", title="My Only Book", keywords=["artemis"])
    path.write_text(json.dumps({"items": [item]}))
    client = make_app(WIDGET_STUB_CATALOG=str(path)).test_client()
    page = client.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "My Only Book" in page
    assert "Today&#39;s Most Popular Book on NASA Artemis" in page


@pytest.mark.parametrize(
    "content, reason",
    [
        ("not json", "malformed"),
        ('{"things": []}', "missing field"),
        ('{"items": []}', "no items"),
        ('{"items": [{"asin": "B0X", "title": "t"}]}', "asin"),
    ],
)
def test_malformed_catalog_file_stops_start_up(make_app, tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="WIDGET_STUB_CATALOG") as excinfo:
        make_app(WIDGET_STUB_CATALOG=str(path))
    assert reason in str(excinfo.value)


def test_missing_catalog_file_stops_start_up(make_app, tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        make_app(WIDGET_STUB_CATALOG=str(tmp_path / "nope.json"))


def test_stub_announces_itself(make_app, caplog):
    client = make_app().test_client()
    assert "STUB catalog" in caplog.text
    assert client.get("/healthz").get_json()["catalog"] == "stub"
