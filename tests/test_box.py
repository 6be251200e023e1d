"""What each book in the box shows, through the widget and fragment routes:
the "View on Amazon" button, stars and review counts only when the catalog
supplied them, the saving, and a page size that stays small.
"""

from pathlib import Path

import pytest

from tests.fakes import make_product
from tests.fakes import make_topic
from widget.models import Price

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
URL = "https://www.amazon.com/dp/B0FAKE0001?tag=test-20"
BUTTONS = {
    "en": "View on Amazon",
    "de": "Auf Amazon ansehen",
    "fr": "Voir sur Amazon",
    "es": "Ver en Amazon",
    "it": "Vedi su Amazon",
    "ja": "Amazonで見る",
}


@pytest.fixture
def box(make_app, fake_catalog, clock):
    app = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    app.extensions["widget"].store.add_topic(make_topic("nasa-artemis", badges=True))
    client = app.test_client()

    def get(query="", kind=""):
        response = client.get(f"/widget/nasa-artemis{kind}?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    get.refresh = lambda: app.extensions["widget"].lists.refresh("nasa-artemis")
    return get


def first_item(html):
    return html.split("<li>")[1].split("</li>")[0]


@pytest.mark.parametrize("lang", sorted(BUTTONS))
@pytest.mark.parametrize("kind", ["", "/fragment"])
def test_the_button_opens_exactly_the_product_url_in_every_language(box, lang, kind):
    item = first_item(box(f"lang={lang}", kind))
    button = item.split('<a class="bw-btn" ')[1]
    assert button.startswith(
        f'href="{URL}" rel="sponsored nofollow noopener" target="_blank">'
        f'{BUTTONS[lang]}<span class="bw-vh">: Fake Book 1</span></a>'
    )


def test_ratings_and_review_counts_show_only_when_supplied(box, fake_catalog):
    fake_catalog.products[:3] = [
        make_product(1, rating=4.6, reviews=1320),
        make_product(2, rating=None, reviews=None),
        make_product(3, rating=3.0, reviews=None),
    ]
    items = box().split("<li>")[1:4]
    assert (
        '<span class="bw-rate" role="img" aria-label="4.6 out of 5 stars,'
        ' 1,320 reviews"><span class="bw-stars bw-s9"></span> (1,320)</span>'
    ) in items[0]
    assert "bw-rate" not in items[1] and "stars" not in items[1]
    assert 'aria-label="3.0 out of 5 stars"><span class="bw-stars bw-s6">' in items[2]
    german = first_item(box("lang=de"))
    assert 'aria-label="4,6 von 5 Sternen, 1.320 Bewertungen"' in german
    assert "bw-rate" not in first_item(box("layout=compact"))


def test_the_price_shows_its_saving_against_the_list_price(box, fake_catalog):
    from widget.models import saving_between

    price, was = Price(19.99, "USD", "$19.99"), Price(24.99, "USD", "$24.99")
    fake_catalog.products[0] = make_product(
        1, price=price, list_price=was, saving=saving_between(price, was)
    )
    assert (
        '<span class="bw-price"><span>$19.99</span>'
        ' <span class="bw-save">\u221220%</span></span>'
    ) in first_item(box())
    assert "\u221220\u202f%" in first_item(box("lang=de"))
    assert "bw-save" not in box().split("<li>")[2]


def heavy_product(n):
    """A book as Amazon sends it, at its longest: a 70-character title, two
    authors, Amazon-length links, both covers, a rating, a saving."""
    from widget.models import Image
    from widget.models import Saving

    asin = f"B0HEAVY{n:03d}"
    cover = f"https://m.media-amazon.com/images/I/51{asin}L.{{}}_SL{{}}_.jpg"
    return make_product(
        n,
        asin=asin,
        title=f"Artemis and the Moon: The Long Road Back to the Lunar South Pole {n}",
        url=f"https://www.amazon.com/dp/{asin}?tag=mysite-20&linkCode=ogi&th=1&psc=1",
        authors=("Firstname Lastname", "Another Coauthor"),
        image=Image(cover.format("_SX107", 160), 107, 160),
        large_image=Image(cover.format("_SX333", 500), 333, 500),
        rating=4.7,
        reviews=12345,
        price=Price(19.99, "USD", "$19.99"),
        list_price=Price(28.99, "USD", "$28.99"),
        saving=Saving(Price(9.0, "USD", "$9.00"), 31),
    )


@pytest.mark.parametrize("layout", ["list", "grid", "compact"])
def test_ten_items_stay_under_20_kb(box, fake_catalog, layout):
    """The heaviest box: Amazon-length data, every book moved or new."""
    fake_catalog.products = [heavy_product(n) for n in range(1, 21)]
    box()  # the first list
    fake_catalog.products.reverse()
    box.refresh()
    html = box(f"layout={layout}")
    assert html.count('class="bw-badge"') == 10
    assert html.count('class="bw-save"') == (0 if layout == "compact" else 10)
    sizes = {
        kind or "document": len(box(f"layout={layout}", kind).encode())
        for kind in ("", "/fragment")
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "box-sizes.txt").open("a") as out:
        for kind, size in sizes.items():
            out.write(f"{layout:<8} {kind:<10} {size:>6} bytes\n")
    print(layout, sizes)
    assert all(size < 20 * 1024 for size in sizes.values()), sizes
