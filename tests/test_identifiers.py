"""ASINs and ISBNs as admins type them, one per line with an optional note."""

from __future__ import annotations

import re

import pytest

from widget.catalog.identifiers import IdentifierError
from widget.catalog.identifiers import isbn10_to_13
from widget.catalog.identifiers import isbn13_to_10
from widget.catalog.identifiers import parse_book_id
from widget.catalog.identifiers import parse_lines


@pytest.mark.parametrize(
    "typed",
    [
        "0316769487",
        "0-316-76948-7",
        "978-0-316-76948-8",
        "978 0 316 76948 8",
        "9780316769488",
        "ISBN 978-0-316-76948-8",
        "ISBN-13: 9780316769488",
        "isbn:0316769487",
    ],
)
def test_every_spelling_of_one_isbn_names_the_same_book(typed):
    book = parse_book_id(typed)
    assert (book.asin, book.isbn) == ("0316769487", "9780316769488")


def test_an_asin_is_upper_cased_and_has_no_isbn():
    book = parse_book_id(" b00abc1234 ")
    assert (book.asin, book.isbn, book.typed) == ("B00ABC1234", None, "b00abc1234")


def test_an_isbn_10_ending_in_x_is_valid():
    assert parse_book_id("080442957X").isbn == "9780804429573"


def test_a_979_isbn_has_no_isbn_10_to_link_by():
    book = parse_book_id("979-10-343-0548-3")
    assert (book.asin, book.isbn) == (None, "9791034305483")


def test_isbn_10_and_13_convert_both_ways():
    assert isbn10_to_13("0316769487") == "9780316769488"
    assert isbn13_to_10("9780316769488") == "0316769487"
    assert isbn13_to_10("9791034305483") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9780316769489", "not a valid ISBN-13: its check digit"),
        ("0316769488", "not a valid ISBN-10: its check digit"),
        ("1234567890123", "they start 978 or 979"),
        ("B00ABC", "not an ASIN (10 letters and digits) or an ISBN"),
        ("B00ABC12345", "not an ASIN"),
        ("", "no ASIN or ISBN given"),
    ],
)
def test_bad_identifiers_say_what_is_wrong(typed, message):
    with pytest.raises(IdentifierError, match=re.escape(message)):
        parse_book_id(typed)


def test_lines_keep_the_admins_order_and_notes():
    items, errors = parse_lines(
        [
            "B00ABC1234",
            "978-0-316-76948-8  Signed copy, a gift",
            "",
            "080442957X | the one with the map",
            "ISBN: 979 10 343 0548 3 - French edition",
        ]
    )
    assert errors == []
    assert [(i.book.asin or i.book.isbn, i.note) for i in items] == [
        ("B00ABC1234", None),
        ("0316769487", "Signed copy, a gift"),
        ("080442957X", "the one with the map"),
        ("9791034305483", "French edition"),
    ]


def test_each_bad_line_gets_its_own_message_and_good_lines_still_count():
    items, errors = parse_lines(
        [
            "0316769487",
            "978-0-316-76948-9 typo",
            "not an identifier",
            "9780316769488 the same book as line 1",
            "b00abc1234",
            "B00ABC1234",
        ]
    )
    assert [i.book.key for i in items] == ["9780316769488", "B00ABC1234"]
    assert [(e.line, e.message) for e in errors] == [
        (
            2,
            '"978-0-316-76948-9" is not a valid ISBN-13: its check digit does not'
            " match (a typo?)",
        ),
        (
            3,
            '"not" is not an ASIN (10 letters and digits) or an ISBN (10 or 13 digits)',
        ),
        (4, '"9780316769488" repeats line 1'),
        (6, '"B00ABC1234" repeats line 5'),
    ]


def test_an_isbn_in_groups_with_a_typo_is_explained_as_a_whole():
    _, [error] = parse_lines(["978 0 316 76948 9 a note"])
    assert error.message.startswith('"978 0 316 76948 9" is not a valid ISBN-13')
