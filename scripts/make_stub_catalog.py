"""Generate the bundled demo catalog and its SVG covers.

Writes ``widget/catalog/data/stub_catalog.json`` and one
``widget/catalog/data/covers/<ASIN>.svg`` per item. Every book and author
below is invented. The output is deterministic: ASINs follow the order of
the data, and ranks, ratings and prices come from a fixed-seed generator, so
running the script twice gives byte-identical files.

A few items are deliberately awkward, to exercise escaping and graceful
degradation: a title with ``&`` and double quotes, a non-ASCII title, an
item with ``"price": null`` and one with ``"authors": []``.

The second generation of the data (each topic's ``more`` books and the
fields ``isbn``, ``published``, ``list_price``, ``reviews`` and
``large_image``) shows every list feature offline: several editions of one
work (same title and authors), out-of-stock and unavailable items among the
best sellers, discounts against a list price, new releases and pre-orders
without ratings yet, ebooks without an ISBN and 979 ISBNs without an
ISBN-10. It draws from its own generator and numbers its books after the
first generation's, so every earlier ASIN, rank, price and rating stays
as it was.

Usage::

    python3 scripts/make_stub_catalog.py
"""

from __future__ import annotations

import colorsys
import hashlib
import json
import math
import random
import re
import textwrap
import xml.etree.ElementTree as ET
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "widget" / "catalog" / "data"
COVERS_DIR = DATA_DIR / "covers"
CATALOG_PATH = DATA_DIR / "stub_catalog.json"

SEED = "widget-stub-catalog-v1"
SEED_V2 = "widget-stub-catalog-v2"
COVER_WIDTH = 107
COVER_HEIGHT = 160
LARGE_SCALE = 3  # the SVG covers are sharp at any size; "large" is 321 x 480
DISCOUNTS = (10, 15, 20, 25, 30, 40)  # percent off the list price
FIRST_PUBLISHED = date(2009, 1, 1)
LAST_PUBLISHED = date(2025, 12, 31)
MAX_COVER_BYTES = 1536
WORD = re.compile(r"[^\W_]+")  # a word, as the stub catalog search splits them
AUTO_PRICE = -1.0  # "pick a price from the topic's menu"


class Book(NamedTuple):
    title: str
    authors: tuple[str, ...]
    tags: str = ""  # extra keywords, space separated
    price: float | None = AUTO_PRICE  # None is written as "price": null
    availability: str = "IN_STOCK"
    search_index: str = "Books"
    published: str | None = None  # ISO date; drawn at random if None
    rated: bool = True  # False: too new for reviews (no rating, no count)
    rank: int | None = None  # a hand-placed sales rank (second generation)


class Topic(NamedTuple):
    name: str
    words: tuple[str, ...]  # keywords every book of the topic carries
    browse_nodes: tuple[str, ...]
    prices: tuple[float, ...]
    books: tuple[Book, ...]
    more: tuple[Book, ...] = ()  # the second generation, numbered after all books


SPACE = ("Science & Math", "Astronomy & Space Science")
NOVEL_PRICES = (14.99, 16.99, 17.99, 18.99, 22.00, 26.99, 28.00)
NONFICTION_PRICES = (16.99, 18.99, 19.95, 22.50, 24.99, 27.95, 29.99, 32.00)
KINDLE_PRICES = (3.99, 4.99, 6.99, 7.99, 9.99)

# The data is laid out by hand; keep the formatter from exploding it.
# fmt: off
TOPICS: tuple[Topic, ...] = (
    Topic("NASA Artemis", ("nasa", "artemis"), SPACE, NONFICTION_PRICES, (
        Book("Artemis Rising: The Long Road Back to the Moon", ("Dana Whitlock",),
             "moon lunar spaceflight"),
        Book('Rockets & "Reality": What the Artemis Plan Gets Right',
             ("Marcus Oyelaran", "Priya Venkataraman"), "moon rockets sls"),
        Book("Orion's Heat Shield: Engineering the Artemis Capsule",
             ("Henrik Solberg",), "orion capsule engineering"),
        Book("The Gateway Station: A Field Guide to the Lunar Outpost",
             ("Celia Marchetti",), "gateway moon lunar station"),
        Book("South Pole Shadows: Water Ice and the Artemis Landing Zones",
             ("Tomasz Wielgosz",), "moon ice lunar"),
        Book("Moonbound Again: Voices from the Astronaut Corps",
             ("Renata Ashgrove", "Lionel Baptiste"), "moon astronauts",
             availability="IN_STOCK_SCARCE"),
        Book("Countdown at Pad 39B: A Launch Diary", ("Jolene Harker",),
             "launch rockets kennedy"),
        Book("Heavy Lift: The Politics and Physics of the Big Rocket",
             ("Ambrose Kettleby",), "sls rockets politics"),
        Book("Suited Up on the Regolith: Designing Artemis Spacewalk Gear",
             ("Naomi Tsukada",), "spacesuits moon design"),
        Book("Artemis Adventures: A Young Explorer's Ticket to the Moon",
             ("Pip Larkspur",), "moon kids children"),
        Book("Lunar Logistics: How NASA Plans to Stay on the Moon",
             ("Everett Quinlan",), "moon lunar logistics"),
        Book("The Artemis Accords Explained", ("Sofia Delacroix-Nunez",),
             "policy treaties moon"),
        Book("Splashdown Protocols: Recovering Orion in the Pacific",
             ("Graham Ostrowski",), "orion recovery ocean"),
        Book("Crewed Landing Day by Day: An Artemis Mission Timeline",
             ("Hollis Brandt", "Yuki Amesbury"), "moon landing timeline",
             availability="PREORDER", published="2027-03-15", rated=False),
    ), more=(
        Book("Artemis Rising: The Long Road Back to the Moon", ("Dana Whitlock",),
             "moon lunar spaceflight paperback", price=16.99, rank=45),
        Book("Artemis Rising: The Long Road Back to the Moon", ("Dana Whitlock",),
             "moon lunar spaceflight large print", price=32.00, rank=2310),
        Book("Artemis II: Four Astronauts Around the Moon", ("Celia Marchetti",),
             "moon crew flyby", published="2026-10-14", rated=False, rank=57),
        Book("Lunar Night: Surviving Two Weeks of Darkness", ("Tomasz Wielgosz",),
             "moon night power", availability="OUT_OF_STOCK", rank=88),
        Book("Moon Base Blueprints", ("Naomi Tsukada", "Everett Quinlan"),
             "moon base habitats", availability="PREORDER",
             published="2027-02-09", rated=False, rank=640),
        Book("Artemis Rising: The Long Road Back to the Moon", ("Dana Whitlock",),
             "moon lunar spaceflight ebook", price=9.99, search_index="KindleStore"),
    )),
    Topic("Science Fiction", ("science", "fiction", "science fiction"),
          ("Literature & Fiction", "Science Fiction & Fantasy"), NOVEL_PRICES, (
        Book("The Glass Orchard of Kepler Nine", ("Imogen Strathairn",),
             "novel space colony"),
        Book("Salt Ships of the Cinder Belt", ("Obadiah Wren",),
             "novel space opera"),
        Book("Echo Protocol: A Novel", ("Zara Kettleworth",), "novel thriller ai"),
        Book("The Last Cartographer of Halcyon Station",
             ("Mireille Fontaine-Oduya",), "novel station"),
        Book("Children of the Drift Engine", ("Caspian Mbeki",),
             "novel generation ship"),
        Book("Quiet Signals from Tau Ceti", ("Lena Vortmann",),
             "novel first contact"),
        Book("The Archivist of Empty Suns", ("Bertrand Okafor-Lisle",),
             "novel far future"),
        Book("Rust Meridian", ("Tamsin Hollowell",), "novel mars colony",
             availability="IN_STOCK_SCARCE"),
        Book("A Lantern on the Generation Ship", ("Ravi Castellanos",),
             "novel generation ship"),
        Book("Neon Tithe: Stories from the Undercity",
             ("Juno Abernathy", "Felix Maraj"), "stories cyberpunk anthology"),
        Book("The Copper Dreaming Machines", ("Agathe Lindqvist",),
             "novel robots"),
        Book("Orbitfall Cascade", ("Desmond Achterberg",), "novel ebook",
             price=4.99, search_index="KindleStore"),
        Book("Seven Clocks Against the Void", ("Harriet Nkemelu",),
             "novel time ebook", price=7.99, search_index="KindleStore"),
        Book("The Weight of Borrowed Stars", ("Soren Halvard",), "novel space"),
    ), more=(
        Book("Echo Protocol: A Novel", ("Zara Kettleworth",),
             "novel thriller ai paperback", price=11.99, rank=27),
        Book("The Harbor at the Edge of Andromeda", ("Imogen Strathairn",),
             "novel space colony", published="2026-11-03", rated=False, rank=73),
        Book("Vanished Orbit", ("Obadiah Wren",), "novel space opera",
             availability="UNAVAILABLE", rank=118),
        Book("Second Harvest on Kepler Nine", ("Imogen Strathairn",),
             "novel space colony sequel", published="2026-08-18", rank=161),
        Book("The Clockmaker's Comet", ("Lena Vortmann",), "novel time",
             availability="OUT_OF_STOCK", rank=9),
    )),
    Topic("Mars Exploration", ("mars", "exploration"), SPACE, NONFICTION_PRICES, (
        Book("Red Dust Diaries: Twenty Years of Mars Rovers", ("Alma Bexley",),
             "rovers red planet"),
        Book("Jezero Crater: Reading the Rocks of an Ancient Mars Lake",
             ("Kwame Ashworth",), "geology rovers"),
        Book("Getting There: The Engineering of Crewed Mars Exploration",
             ("Ingrid Vallenstein", "Paolo Seravalle"), "engineering crewed"),
        Book("The Helicopter That Flew on Mars", ("Beatrix Oyelowo",),
             "helicopter flight"),
        Book("Mars Sample Return: The Round Trip of the Century",
             ("Nathaniel Corrigan",), "nasa samples", availability="PREORDER",
             published="2027-05-20", rated=False),
        Book("Olympus and Beyond: A Traveler's Atlas of Mars",
             ("Clementine Roux",), "atlas maps red planet"),
        Book("Living Under Dust Storms: Habitat Design on Mars",
             ("Teodor Valcu",), "habitats design"),
        Book("Water on the Red Planet: Hunting Martian Ice",
             ("Harriet Lindgren-Obi",), "water ice red planet"),
        Book("The Curious Mind's Mars Exploration Handbook",
             ("Wesley Duchamp",), "handbook red planet"),
        Book("Entry, Descent, Landing: How Rovers Reach Mars",
             ("Yolanda Brisbane",), "landing rovers engineering"),
        Book("Ares Ambitions: Half a Century of Mars Mission Proposals",
             ("Gideon Thackeray",), "missions proposals"),
        Book("Mars Through a Backyard Lens", ("Odette Fairweather",),
             "telescope observing"),
        Book("The Martian Meteorites: Messages in Stone",
             ("Rupert Ellingsworth",), "meteorites geology"),
    ), more=(
        Book("Dust Devils of Gale Crater", ("Alma Bexley",), "rovers weather",
             published="2026-09-29", rated=False, rank=212),
        Book("Red Dust Diaries: Twenty Years of Mars Rovers", ("Alma Bexley",),
             "rovers red planet paperback", price=14.99, rank=1890),
        Book("Phobos First: The Moon Route to Mars", ("Gideon Thackeray",),
             "moons missions", availability="OUT_OF_STOCK", rank=95),
    )),
    Topic("Astronomy for Beginners", ("astronomy", "beginners"), SPACE,
          NONFICTION_PRICES, (
        Book("Your First Telescope: Astronomy for Beginners Made Simple",
             ("Miriam Calloway",), "telescope stargazing"),
        Book("The Backyard Star Atlas: A Beginners' Sky Guide",
             ("Leopold Nakamura-Reyes",), "atlas stargazing constellations"),
        Book("Cosmos über alles: Ünïcödé — 宇宙", ("Zoë Ångström-Müller",),
             "cosmos stargazing"),
        Book("Stargazing with Binoculars: Easy Astronomy", ("Fenella Drummond",),
             "binoculars stargazing"),
        Book("Constellations Made Friendly", ("Horace Pembleton",),
             "constellations night sky"),
        Book("The Moon in Your Window: Beginners' Lunar Astronomy",
             ("Bettina Okonkwo",), "moon lunar observing"),
        Book("Planets at Dusk: A Beginners' Guide to Wandering Stars",
             ("Cyrus Ellwood",), "planets observing"),
        Book("Astronomy on a Budget", ("Delphine Harrow",), "telescope budget"),
        Book("Dark Skies, Bright Questions: Astronomy Answers for Beginners",
             ("Ignatius Pell",), "questions night sky"),
        Book("Meteor Showers and How to Catch Them",
             ("Rosalind Achebe-Grant",), "meteors night sky"),
        Book("Astronomy Apps and Charts: A Beginners' Toolkit",
             ("Tobias Vance", "Mei Lin Harcourt"), "apps charts"),
        Book("Star Hopping Across the Seasons", ("Agnieszka Brightwater",),
             "constellations seasons"),
        Book("The Pocket Planisphere Companion", ("Lucian Farrow",),
             "planisphere stargazing"),
    )),
    Topic("Python Programming", ("python", "programming"),
          ("Computers & Technology", "Programming Languages"),
          (29.99, 34.99, 39.99, 44.99, 49.99, 54.99), (
        Book("Python in Twelve Weekends", ("Harriet Quill",), "coding tutorial"),
        Book("Practical Python Patterns, Tidy Code",
             ("Anselm Brook", "Dagny Torvik"), "patterns design coding"),
        Book("The Kitchen Table Coder: Python with Kids", ("Fiona Adeyemi",),
             "kids coding"),
        Book("Async Python Without Fear", ("Marek Zielinski-Hale",),
             "asyncio concurrency"),
        Book("Data Wrangling with Python and Friends",
             ("Selina Ortega-Baumann",), "data pandas"),
        Book("Testing Python Services the Boring Way", ("Gus Hallorann",),
             "testing pytest"),
        Book("Python Type Hints in Practice", ("Ines Kowalczyk",),
             "typing mypy", availability="IN_STOCK_SCARCE"),
        Book("From Scripts to Packages: Python Programming at Project Scale",
             ("Thaddeus Crane",), "packaging projects"),
        Book("The Little Book of Python Generators", ("Opal Winthrop",),
             "generators iterators"),
        Book("Automating the Office with Python", ("Rajesh Ferreira",),
             "automation scripting"),
        Book("Python Programming in the Lab and the Field",
             ("Eleanor Vasquez-Mott",), "research data"),
        Book("Profiling and Speeding Up Python", ("Konrad Elsworth",),
             "performance profiling"),
        Book("Web APIs with Python: A Hands-On Guide", ("Tilde Marrow",),
             "web apis http", availability="PREORDER", published="2027-01-26",
             rated=False),
        Book("Python Programming Puzzles and Brain Teasers", ("Benedict Oyama",),
             "puzzles exercises"),
    ), more=(
        Book("Python in Twelve Weekends", ("Harriet Quill",),
             "coding tutorial second edition", published="2026-10-06", rank=33),
        Book("Free-Threaded Python in Practice", ("Marek Zielinski-Hale",),
             "concurrency threads", published="2026-11-10", rated=False, rank=420),
    )),
    Topic("Italian Cooking", ("italian", "cooking"),
          ("Cookbooks, Food & Wine", "Italian"),
          (19.99, 24.99, 27.50, 29.95, 32.00, 35.00), (
        Book("Nonna's Sunday Table: Italian Home Cooking",
             ("Lucia Benedetti-Ward",), "recipes family"),
        Book("Fresh Pasta by Hand", ("Matteo Castellani",), "pasta recipes"),
        Book("The Risotto Notebook", ("Giulia Ferrante",), "risotto rice recipes"),
        Book("A Year in a Ligurian Kitchen", ("Caterina Onofri", "Tom Ashby"),
             "liguria seasonal recipes"),
        Book("Sicilian Street Food at Home", ("Salvatore Minnelli",),
             "sicily street food"),
        Book("Bread of the Apennines: Italian Baking Traditions",
             ("Rosa Carbonaro",), "bread baking"),
        Book("Simple Italian Weeknights", ("Dario Pellegrini",),
             "quick weeknight recipes"),
        Book("The Olive Oil Pantry", ("Beatrice Lanzi",), "olive oil pantry"),
        Book("Sauces of Bologna", ("Enzo Ruggieri",), "sauces ragu"),
        Book("Italian Cooking in a Small Kitchen", ("Marisa Conti-Hale",),
             "recipes small kitchen"),
        Book("Sweet Endings: Italian Desserts and Dolci", ("Paola Santangelo",),
             "desserts baking"),
        Book("Polenta, Beans and Greens", ("Ottavio Brambilla",),
             "vegetarian rustic"),
        Book("Antipasti to Feed a Crowd", ("Franca Delvecchio",), "antipasti party",
             price=None),
    )),
    Topic("Mountain Hiking", ("mountain", "hiking"),
          ("Sports & Outdoors", "Hiking & Camping"),
          (14.95, 16.99, 19.95, 21.99, 24.95), (
        Book("Above the Treeline: A Mountain Hiking Handbook",
             ("Rowan Fellgate",), "trails handbook"),
        Book("Switchbacks and Summits", ("Kirsten Haldorsen",),
             "summits trails"),
        Book("The Ridge Walker's Companion", ("Alistair Mackendrick",),
             "ridges scrambling"),
        Book("Lightweight Backpacking in Steep Country", ("Jonah Whitcombe",),
             "backpacking gear"),
        Book("Hiking the High Passes: Twenty Alpine Routes",
             ("Greta Feldmann", "Luca Bernasconi"), "alps routes"),
        Book("Mountain Weather Wisdom", ("Ewan Stroud",), "weather safety"),
        Book("First Aid on the Trail", ("Maribel Coyle",), "first aid safety"),
        Book("The Fourteeners Logbook", ("Dustin Harwell",), "peaks logbook",
             availability="IN_STOCK_SCARCE"),
        Book("Navigating Without a Signal: Map and Compass Skills",
             ("Imelda Crowther",), "navigation maps compass"),
        Book("Hut to Hut: Mountain Trekking in Europe", ("Anneliese Brunner",),
             "trekking huts europe"),
        Book("Trail Food That Doesn't Taste Like Cardboard", ("Petra Lindahl",),
             "food backpacking"),
        Book("Family Hiking Adventures in the Hills", ("Oscar Bellamy",),
             "family kids trails"),
    )),
    Topic("World War II History",
          ("world", "war", "ii", "wwii", "history", "world war ii"),
          ("History", "Military", "World War II"), NONFICTION_PRICES, (
        Book("The Convoy Winter of 1942", ("Edmund Harrowgate",),
             "convoys atlantic naval"),
        Book("Codebreakers of the Northern Station", ("Philippa Dunmore",),
             "codebreaking intelligence"),
        Book("River of Iron: The Rhine Crossings of 1945", ("Conrad Maitland",),
             "rhine 1945 campaigns"),
        Book("Radio Silence: Resistance Networks in Occupied Europe",
             ("Élodie Marchand",), "resistance europe"),
        Book("The Home Front Ledger: Rationing and Resilience, 1939–1945",
             ("Winifred Ashcombe",), "home front rationing"),
        Book("Island Airstrips: The Pacific War from the Ground",
             ("Kenji Aldridge", "Martha Sewell"), "pacific airfields"),
        Book("Steel Tide: Tank Crews of the Desert Campaign",
             ("Reginald Fothergill",), "tanks desert north africa"),
        Book("Letters from Ward Seven: Nurses of the Second World War",
             ("Agnes Mulcahy",), "nurses letters"),
        Book("The Quartermaster's War", ("Duncan Ferrier",), "logistics supply"),
        Book("Ghost Fleet: Deception Units of World War II",
             ("Lorenzo Beckett",), "deception"),
        Book("A Pocket History of World War II", ("Harold Quennell",),
             "overview pocket"),
        Book("The Long Retreat East", ("Viktor Sandelin",), "eastern front"),
        Book("Mapping the Invasion: Cartographers of D-Day", ("Isobel Carrow",),
             "d-day maps normandy"),
    )),
    Topic("Mindfulness", ("mindfulness",), ("Self-Help", "Stress Management"),
          (12.99, 14.99, 15.95, 16.99, 18.00), (
        Book("Ten Breaths Before Breakfast", ("Serena Halloway",),
             "breathing meditation"),
        Book("The Unhurried Mind: Everyday Mindfulness Practices",
             ("Amara Whitfield",), "meditation practice"),
        Book("Sitting with Weather: Meditations on Change",
             ("Jonas Eberhardt",), "meditation change"),
        Book("Mindfulness at the Office Desk",
             ("Priyanka Dhillon", "Mark Tolliver"), "work stress"),
        Book("Kind Attention: A Mindfulness Workbook", ("Hester Blaine",),
             "workbook exercises"),
        Book("Quiet Hours: A Journal of Small Noticings", (), "journal calm"),
        Book("The Commuter's Calm", ("Rufus Penhallow",), "calm commuting"),
        Book("Mindful Parenting in Noisy Houses", ("Lydia Okafor",),
             "parenting calm"),
        Book("Walking Meditation, Restless Mind", ("Isaac Thornbury",),
             "walking meditation"),
        Book("Breath, Body, Now", ("Camille Dufresne",), "breathing body"),
        Book("Sleeping Well with Mindfulness", ("Yara Haddad-Stone",),
             "sleep calm"),
        Book("The Pebble in Your Pocket: Mindfulness with Kids",
             ("Wren Ashdown",), "kids children calm"),
    )),
    Topic("Gardening", ("gardening",),
          ("Crafts, Hobbies & Home", "Gardening & Landscape Design"),
          (16.99, 19.99, 22.95, 24.99, 27.50), (
        Book("The Clay Soil Gardener", ("Margery Thistlewood",), "soil garden"),
        Book("Raised Beds, Happy Roots", ("Colin Featherstone",),
             "raised beds vegetables"),
        Book("Small-Space Vegetable Gardening", ("Noor Al-Hashimi",),
             "vegetables balcony"),
        Book("The Pollinator Patch", ("Tabitha Hollins",), "bees pollinators"),
        Book("Seed Saving Made Simple", ("Orrin Wexley",), "seeds heirloom"),
        Book("Pruning Without Panic", ("Gwendolyn Rusk",), "pruning shrubs"),
        Book("A Year of Cut Flowers", ("Hattie Marlowe",), "flowers seasonal",
             availability="IN_STOCK_SCARCE"),
        Book("Compost Alchemy", ("Desmond Greaves",), "compost soil"),
        Book("The Shade Garden Handbook", ("Ottoline Peabody",), "shade plants"),
        Book("Herbs on the Windowsill", ("Sunita Rao-Bellingham",),
             "herbs indoor"),
        Book("Gardening with Native Plants", ("Elias Brandvold", "June Okonjo"),
             "native plants wildlife"),
        Book("The Dry Garden: Gardening Through Drought", ("Farida Castellane",),
             "drought water"),
        Book("Winter Gardening Under Glass", ("Percival Underhill",),
             "greenhouse winter"),
        Book("Fruit Trees in Tiny Yards", ("Leona Bright",), "fruit trees"),
    )),
    Topic("Birdwatching", ("birdwatching", "birds", "birding"),
          ("Science & Math", "Nature & Ecology"), (12.99, 15.99, 18.95, 21.00), (
        Book("Feathers at First Light: A Birdwatching Primer",
             ("Clara Wainwright",), "primer identification"),
        Book("The Backyard Feeder Notebook", ("Hamish Dunleavy",),
             "feeders backyard"),
        Book("Shorebirds of the Tidal Flats", ("Mariko Ellery",),
             "shorebirds coast"),
        Book("Songbirds by Ear: Learning Bird Calls", ("Theo Castellan",),
             "songs calls"),
        Book("Raptors Overhead", ("Bronwyn Tate",), "raptors hawks"),
        Book("Birding by Bicycle", ("Lars Eklund",), "cycling travel"),
        Book("The Owl Listener's Guide", ("Morwenna Pryce",), "owls night"),
        Book("City Birds: Urban Birdwatching Walks", ("Jamal Whitaker",),
             "urban walks"),
        Book("Gulls Are Harder Than You Think", ("Felicity Orme",),
             "gulls identification"),
        Book("Migration Nights: Watching Birds Cross the Sky",
             ("Aurelio Santos", "Kate Brennan"), "migration"),
        Book("The Hummingbird Border", ("Ingrid Solvang",),
             "hummingbirds flowers"),
        Book("Keeping a Birdwatching Journal", ("Nell Hargreaves",),
             "journal sketching"),
    )),
    Topic("Chess Strategy", ("chess", "strategy"), ("Humor & Entertainment", "Chess"),
          (17.95, 19.95, 24.95, 27.95, 29.95), (
        Book("The Quiet Pawn: Positional Chess Explained", ("Anatol Verbin",),
             "positional pawns"),
        Book("Endgames on a Busy Schedule", ("Rosalind Feeney",), "endgames"),
        Book("Openings That Don't Need Memorizing", ("Dmitri Halvorsen",),
             "openings"),
        Book("Chess Strategy in Plain Words", ("Gabriel Ostend",),
             "plans middlegame"),
        Book("The Outpost Knight", ("Irina Solberg-Wade",), "knights outposts"),
        Book("Tactics Before Breakfast: 300 Chess Puzzles", ("Pavel Morrow",),
             "tactics puzzles"),
        Book("Thinking in Pawn Chains", ("Fedor Krasny",), "pawns structure"),
        Book("The Weak Square Workbook", ("Amaya Corbett",), "workbook squares"),
        Book("Club Player to Candidate Master", ("Nikolai Brennan-Roth",),
             "improvement training"),
        Book("Attack on the Uncastled King", ("Simone Varga",), "attack king"),
        Book("Chess Strategy Lessons: The Junior Club Course", ("Tomas Reinholt",),
             "juniors kids"),
        Book("The Art of the Exchange Sacrifice",
             ("Valentina Orlov", "Grigor Mehrabian"), "sacrifice exchange"),
    )),
)
# fmt: on


def keywords_for(topic: Topic, book: Book) -> list[str]:
    """The topic's words first, then the book's own tags, without repeats."""
    words = [*topic.words, *book.tags.lower().split()]
    return list(dict.fromkeys(words))


def scattered_ranks(rng: random.Random, count: int) -> list[int]:
    """Unique sales ranks spread log-uniformly over 3..90000."""
    ranks: list[int] = []
    seen: set[int] = set()
    while len(ranks) < count:
        rank = int(math.exp(rng.uniform(math.log(3), math.log(90_000))))
        if rank not in seen:
            seen.add(rank)
            ranks.append(rank)
    return ranks


def isbn13(number: int, *, ten: bool) -> str:
    """An invented ISBN-13 with a valid check digit: 978-0-00-NNNNNN-C for
    books that also have an ISBN-10, 979-8-00-NNNNNN-C for those without."""
    first12 = ("978000" if ten else "979800") + f"{number:06d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def list_price(rng: random.Random, amount: float | None) -> float | None:
    """About half the priced books are discounted against a round list price."""
    if amount is None or rng.random() < 0.55:
        return None
    percent = rng.choice(DISCOUNTS)
    return math.ceil(amount / (1 - percent / 100)) - 0.01


def build_items() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    first = [(topic, book) for topic in TOPICS for book in topic.books]
    ranks = scattered_ranks(rng, len(first))
    # The first generation's prices and ratings, drawn exactly as before.
    drawn = []
    for topic, book in first:
        menu = KINDLE_PRICES if book.search_index == "KindleStore" else topic.prices
        amount = rng.choice(menu) if book.price == AUTO_PRICE else book.price
        drawn.append((amount, round(rng.uniform(3.5, 4.9), 1)))
    rng2 = random.Random(SEED_V2)
    taken = set(ranks)
    for topic in TOPICS:
        for book in topic.more:
            rank = book.rank or scattered_ranks(rng2, 1)[0]
            while rank in taken:
                rank = scattered_ranks(rng2, 1)[0]
            taken.add(rank)
            ranks.append(rank)
            menu = KINDLE_PRICES if book.search_index == "KindleStore" else topic.prices
            amount = rng2.choice(menu) if book.price == AUTO_PRICE else book.price
            drawn.append((amount, round(rng2.uniform(3.5, 4.9), 1)))
    books = first + [(topic, book) for topic in TOPICS for book in topic.more]
    items: list[dict[str, object]] = []
    for number, ((topic, book), rank, (amount, rating)) in enumerate(
        zip(books, ranks, drawn, strict=True)
    ):
        asin = f"B0STUB{number + 1:04d}"
        price = None if amount is None else {"amount": amount, "currency": "USD"}
        listed = list_price(rng2, amount)
        published = (
            book.published
            or random_day(rng2, FIRST_PUBLISHED, LAST_PUBLISHED).isoformat()
        )
        reviews = int(math.exp(rng2.uniform(math.log(3), math.log(40_000))))
        ebook = book.search_index == "KindleStore"
        cover = f"covers/{asin}.svg"
        items.append(
            {
                "asin": asin,
                "isbn": None if ebook else isbn13(number + 1, ten=number % 9 != 8),
                "title": book.title,
                "authors": list(book.authors),
                "search_index": book.search_index,
                "keywords": keywords_for(topic, book),
                "browse_nodes": list(topic.browse_nodes),
                "sales_rank": rank,
                "published": published,
                "price": price,
                "list_price": (
                    None if listed is None else {"amount": listed, "currency": "USD"}
                ),
                "availability": book.availability,
                "rating": rating if book.rated else None,
                "reviews": reviews if book.rated else None,
                "image": {"url": cover, "width": COVER_WIDTH, "height": COVER_HEIGHT},
                "large_image": {
                    "url": cover,
                    "width": COVER_WIDTH * LARGE_SCALE,
                    "height": COVER_HEIGHT * LARGE_SCALE,
                },
            }
        )
    return items


def cover_colours(asin: str) -> tuple[str, str]:
    """A background and a darker spine colour, both derived from the ASIN."""
    digest = hashlib.sha256(asin.encode("ascii")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360 / 360
    saturation = 0.40 + digest[2] / 255 * 0.25
    lightness = 0.28 + digest[3] / 255 * 0.10

    def to_hex(light: float) -> str:
        red, green, blue = colorsys.hls_to_rgb(hue, light, saturation)
        return "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))

    return to_hex(lightness), to_hex(lightness * 0.6)


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Wrap text, ending with an ellipsis if it does not fit in max_lines."""
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def author_line(authors: list[str]) -> str:
    if not authors:
        return ""
    if len(authors) == 1:
        return authors[0]
    if len(authors) == 2:
        return f"{authors[0]} & {authors[1]}"
    return f"{authors[0]} et al."


def render_cover(item: dict[str, object]) -> str:
    asin = str(item["asin"])
    title = str(item["title"])
    raw_authors = item["authors"]
    assert isinstance(raw_authors, list)
    authors = [str(author) for author in raw_authors]
    background, spine = cover_colours(asin)
    title_lines = wrap(title, width=14, max_lines=7)
    author_lines = wrap(author_line(authors), width=22, max_lines=2)
    line_height = 13
    top = 68 - (len(title_lines) - 1) * line_height // 2
    rule_y = top + len(title_lines) * line_height - 4
    accessible = f"{title} by {', '.join(authors)}" if authors else title
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{COVER_WIDTH}"'
        f' height="{COVER_HEIGHT}" viewBox="0 0 {COVER_WIDTH} {COVER_HEIGHT}"'
        ' role="img">',
        f"<title>{escape(accessible)}</title>",
        f'<rect width="107" height="160" fill="{background}"/>',
        f'<rect width="7" height="160" fill="{spine}"/>',
        '<circle cx="100" cy="8" r="30" fill="#fff" fill-opacity=".07"/>',
        '<rect x="12" y="8" width="88" height="144" fill="none" stroke="#fff"'
        ' stroke-opacity=".35"/>',
        '<g fill="#fff" font-family="Georgia, serif" font-size="10.5"'
        ' text-anchor="middle">',
        *(
            f'<text x="56" y="{top + i * line_height}">{escape(line)}</text>'
            for i, line in enumerate(title_lines)
        ),
        "</g>",
        f'<path d="M40 {rule_y}h32" stroke="#fff" stroke-opacity=".6"/>',
    ]
    if authors:
        parts.append(
            '<g fill="#fff" fill-opacity=".85" font-family="Helvetica, Arial,'
            ' sans-serif" font-size="7" text-anchor="middle">'
        )
        bottom = 143 - (len(author_lines) - 1) * 9
        parts.extend(
            f'<text x="56" y="{bottom + i * 9}">{escape(line)}</text>'
            for i, line in enumerate(author_lines)
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def catalog_json(items: list[dict[str, object]]) -> str:
    """One item per line: compact, yet easy to read and to diff."""
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    return '{"items": [\n' + ",\n".join(lines) + "\n]}\n"


def check(items: list[dict[str, object]], covers: dict[str, str]) -> None:
    """Fail loudly if the generated data breaks the catalog's invariants."""
    asins = [str(item["asin"]) for item in items]
    ranks = [item["sales_rank"] for item in items]
    isbns = [item["isbn"] for item in items if item["isbn"]]
    assert len(set(asins)) == len(asins), "duplicate ASIN"
    assert all(len(a) == 10 and a.startswith("B0STUB") for a in asins)
    assert len(set(ranks)) == len(ranks), "duplicate sales rank"
    assert len(set(isbns)) == len(isbns), "duplicate ISBN"
    for topic in TOPICS:
        assert 12 <= len(topic.books) <= 14, topic.name
        assert len(topic.more) <= 6, topic.name
        # Searching for the topic's name ("Astronomy for Beginners" includes
        # "for") must find its own books and at most one stray from elsewhere.
        wanted = set(topic.words) | set(WORD.findall(topic.name.lower()))
        found = sum(
            1
            for item in items
            if wanted & {*WORD.findall(str(item["title"]).lower()), *item["keywords"]}
        )
        mine = len(topic.books) + len(topic.more)
        assert found <= mine + 1, f"{topic.name} matches {found} items"
    for asin, svg in covers.items():
        size = len(svg.encode("utf-8"))
        assert size < MAX_COVER_BYTES, f"{asin}.svg is {size} bytes"
        ET.fromstring(svg.encode("utf-8"))


def main() -> None:
    items = build_items()
    covers = {str(item["asin"]): render_cover(item) for item in items}
    check(items, covers)
    COVERS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in COVERS_DIR.glob("*.svg"):
        if stale.stem not in covers:
            stale.unlink()
    for asin, svg in covers.items():
        (COVERS_DIR / f"{asin}.svg").write_text(svg, encoding="utf-8", newline="\n")
    CATALOG_PATH.write_text(catalog_json(items), encoding="utf-8", newline="\n")
    print(f"wrote {len(items)} items and covers to {DATA_DIR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
