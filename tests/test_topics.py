"""Topic fields: the one table, and parse_topic, which every door uses."""

from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest

from widget.config import load_config
from widget.models import Topic
from widget.topics import TOPIC_FIELDS
from widget.topics import TopicInvalid
from widget.topics import parse_topic

README = Path(__file__).parent.parent / "README.md"
SETTINGS = load_config({"WIDGET_REFRESH_INTERVAL": "6h"})


def parse(data, existing=None):
    return parse_topic(data, settings=SETTINGS, existing=existing)


def errors(data, existing=None):
    with pytest.raises(TopicInvalid) as caught:
        parse(data, existing)
    return caught.value.errors


def test_the_table_declares_every_field_of_a_topic():
    assert sorted(f.name for f in TOPIC_FIELDS) == sorted(f.name for f in fields(Topic))


def test_the_readme_table_is_the_fields_table():
    text = README.read_text()
    for field in TOPIC_FIELDS:
        row = (
            f"| `{field.name}` | {field.kind.describe()} |"
            f" {field.describe_default()} | {field.help} |"
        )
        assert row in text


def test_a_title_alone_makes_a_topic_with_every_default():
    topic = parse({"title": "  NASA Artemis "})
    assert topic == Topic(
        slug="nasa-artemis",
        title="NASA Artemis",
        keywords="NASA Artemis",
        search_index="Books",
        item_count=10,
        refresh_interval=timedelta(hours=6),  # the setting
        pages=1,
    )


def test_form_text_and_json_values_read_the_same():
    text = parse({"title": "Dune", "item_count": "5", "refresh_interval": "90m"})
    json = parse({"title": "Dune", "item_count": 5, "refresh_interval": 5400})
    assert text == json
    assert text.item_count == 5 and text.refresh_interval == timedelta(minutes=90)
    assert parse({"title": "Dune", "browse_node": 16272}).browse_node == "16272"
    assert parse({"title": "Dune", "keywords": " dune   arrakis "}).keywords == (
        "dune arrakis"
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({}, "title", "is required"),
        ({"title": "   "}, "title", "is required"),
        ({"title": ["Dune"]}, "title", "has the wrong type"),
        ({"title": "!!!"}, "slug", "could not be made from the title"),
        ({"title": "Dune", "slug": "Dune Book"}, "slug", "lowercase letters"),
        ({"title": "Dune", "item_count": 0}, "item_count", "from 1 to 10"),
        ({"title": "Dune", "item_count": 2.5}, "item_count", "whole number"),
        ({"title": "Dune", "item_count": "٣"}, "item_count", "whole number"),
        ({"title": "Dune", "pages": 4}, "pages", "from 1 to 3"),
        ({"title": "Dune", "refresh_interval": "1m"}, "refresh_interval", "5m"),
        ({"title": "Dune", "refresh_interval": True}, "refresh_interval", "type"),
        ({"title": "Dune", "browse_node": "12a"}, "browse_node", "browse node"),
        ({"title": "Dune", "sort_by": "Price"}, "sort_by", "one of"),
        ({"title": "Dune", "colour": "red"}, "colour", "is not a topic field"),
    ],
)
def test_each_bad_field_gets_its_own_message(data, field, message):
    assert message in errors(data)[field]


def test_every_bad_field_is_named_at_once():
    found = errors({"title": "", "item_count": 99, "pages": "x"})
    assert set(found) == {"title", "item_count", "pages"}


def test_a_change_keeps_what_is_left_out_and_clears_empty_optionals():
    topic = parse({"title": "Dune", "browse_node": "16272", "sort_by": "Featured"})
    changed = parse({"item_count": 3, "sort_by": ""}, existing=topic)
    assert changed == topic.with_changes(item_count=3, sort_by=None)
    # Left empty, a field that cannot be unset keeps its value.
    assert parse({"title": "", "pages": ""}, existing=topic) == topic


def test_the_slug_is_fixed_once_added():
    topic = parse({"title": "Dune"})
    assert parse({"slug": "dune"}, existing=topic) == topic
    assert "cannot be changed" in errors({"slug": "arrakis"}, existing=topic)["slug"]
