import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from widget.catalog.base import NoProductsFound
from widget.catalog.identifiers import isbn13_to_10
from widget.catalog.identifiers import parse_isbn
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
        ('{"items": [{"asin": "B0X0000001", "title": "t", "isbn": "12"}]}', "ISBN"),
        (
            '{"items": [{"asin": "B0X0000001", "title": "t",'
            ' "isbn": "9780000000018"}]}',
            "check digit",
        ),
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


# -- the fields issue 14 and 15 need, and the variety to show them offline ------
TODAY = date(2026, 11, 28)


def test_discounts_carry_the_saving_against_the_list_price(stub):
    products = stub.top_products(topic("nasa artemis"), 30)
    discounted = [p for p in products if p.list_price]
    assert discounted
    for product in discounted:
        saved = product.list_price.amount - product.price.amount
        assert product.saving.money.amount == pytest.approx(saved)
        assert product.saving.percentage == round(
            saved / product.list_price.amount * 100
        )
    assert all(p.saving is None for p in products if not p.list_price)


def test_the_first_ten_of_the_demo_topic_show_every_list_feature(stub):
    ten = stub.top_products(topic("NASA Artemis"), 10)
    assert any(not p.buyable for p in ten), "an out-of-stock item"
    works = [p.work for p in ten]
    assert len(set(works)) < len(works), "two editions of one work"
    assert any(p.saving for p in ten), "a discount"
    assert any(p.rating is None and p.reviews is None for p in ten), "no reviews yet"
    assert any(p.rating and p.reviews for p in ten), "rated, with a count"
    assert any(p.published and 0 <= (TODAY - p.published).days < 90 for p in ten)
    assert any(p.published and p.published > TODAY for p in ten), "a pre-order"


def test_science_fiction_has_an_unavailable_book(stub):
    found = stub.top_products(topic("science fiction"), 30)
    assert "UNAVAILABLE" in {p.availability for p in found}


def test_books_have_isbn_13s_most_with_an_isbn_10_and_ebooks_have_none(stub):
    books = stub.top_products(topic("nasa artemis mars python"), 200)
    isbns = [p.isbn for p in books if p.isbn]
    assert len(isbns) == len(set(isbns)) > 40
    assert all(parse_isbn(isbn) == isbn for isbn in isbns)
    with_ten = [i for i in isbns if isbn13_to_10(i)]
    assert len(with_ten) > 0.8 * len(isbns) and len(with_ten) < len(isbns)
    kindle = stub.top_products(topic("science fiction", search_index="KindleStore"), 9)
    assert all(p.isbn is None for p in kindle)


def test_large_covers_are_the_medium_ones_scaled_up(stub):
    for product in stub.top_products(topic("gardening"), 10):
        assert product.large_image.url == product.image.url
        assert product.large_image.height > product.image.height


def test_the_bundled_catalog_is_what_its_generator_writes():
    script = Path(__file__).parents[1] / "scripts" / "make_stub_catalog.py"
    spec = importlib.util.spec_from_file_location("make_stub_catalog", script)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    items = generator.build_items()
    assert generator.catalog_json(items) == BUNDLED_CATALOG.read_text("utf-8")
    covers = BUNDLED_CATALOG.parent / "covers"
    for item in items[::17]:
        svg = (covers / f"{item['asin']}.svg").read_text("utf-8")
        assert svg == generator.render_cover(item)
