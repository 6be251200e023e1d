import json
import os
import subprocess
import sys


def test_topics_list_shows_the_demo_topics(runner):
    result = runner.invoke(args=["topics", "list"])
    assert result.exit_code == 0
    assert "nasa-artemis" in result.output and "Science Fiction" in result.output


def test_add_refresh_and_remove_a_topic(runner, app):
    added = runner.invoke(args=["topics", "add", "Italian Cooking", "--interval", "6h"])
    assert added.exit_code == 0, added.output
    assert "italian-cooking" in added.output
    refreshed = runner.invoke(args=["refresh", "italian-cooking"])
    assert refreshed.exit_code == 0 and "10 items" in refreshed.output
    removed = runner.invoke(args=["topics", "remove", "italian-cooking"])
    assert removed.exit_code == 0
    assert app.extensions["widget"].store.get_state("italian-cooking") is None


def test_add_duplicate_or_invalid_topic_fails_clearly(runner):
    duplicate = runner.invoke(args=["topics", "add", "NASA Artemis"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    bad = runner.invoke(args=["topics", "add", "Gardening", "--count", "50"])
    assert bad.exit_code != 0 and "item_count" in bad.output
    long_title = runner.invoke(args=["topics", "add", "x" * 200])
    assert long_title.exit_code != 0 and "title" in long_title.output


def test_edit_changes_only_the_given_fields(runner, app):
    store = app.extensions["widget"].store
    before = store.get_state("nasa-artemis").topic
    args = ["topics", "edit", "nasa-artemis", "--count", "5", "--pages", "2"]
    result = runner.invoke(args=[*args, "--browse-node", "16272"])
    assert result.exit_code == 0, result.output
    after = store.get_state("nasa-artemis").topic
    assert after == before.with_changes(item_count=5, pages=2, browse_node="16272")
    runner.invoke(args=["topics", "edit", "nasa-artemis", "--browse-node", ""])
    assert store.get_state("nasa-artemis").topic.browse_node is None
    bad = runner.invoke(args=["topics", "edit", "nasa-artemis", "--pages", "9"])
    assert bad.exit_code != 0 and "pages: must be a whole number from 1 to 3" in (
        bad.output
    )
    missing = runner.invoke(args=["topics", "edit", "nope", "--pages", "2"])
    assert missing.exit_code != 0 and "no topic 'nope'" in missing.output


def test_remove_unknown_topic_fails(runner):
    result = runner.invoke(args=["topics", "remove", "nope"])
    assert result.exit_code != 0 and "no topic" in result.output


def test_export_then_import_round_trips(runner, make_app, tmp_path):
    exported = runner.invoke(args=["topics", "export"])
    path = tmp_path / "topics.json"
    path.write_text(exported.output)
    other = make_app(
        WIDGET_STORE=f"sqlite:///{tmp_path}/other.db", WIDGET_SEED_DEMO=False
    )
    result = other.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert result.exit_code == 0 and "2 added" in result.output
    again = other.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert "2 updated" in again.output
    slugs = [t["slug"] for t in json.loads(exported.output)["topics"]]
    assert sorted(slugs) == ["nasa-artemis", "science-fiction"]


def test_import_checks_every_topic_before_writing(runner, app, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"topics": [{"title": "Good One"}, {"title": ""}]}))
    result = runner.invoke(args=["topics", "import", str(path)])
    assert result.exit_code != 0 and "topic 2" in result.output
    assert app.extensions["widget"].store.get_state("good-one") is None
    path.write_text("[1, 2]")
    assert runner.invoke(args=["topics", "import", str(path)]).exit_code != 0


def test_refresh_needs_a_target_and_reports_failures(runner, app, fake_catalog):
    assert runner.invoke(args=["refresh"]).exit_code != 0
    assert runner.invoke(args=["refresh", "nope"]).exit_code != 0
    result = runner.invoke(args=["refresh", "--all"])
    assert result.exit_code == 0 and result.output.count("refreshed") == 2


def test_refresh_failure_exits_non_zero(make_app, fake_catalog):
    from widget.catalog.base import CatalogUnavailable

    app = make_app(catalog=fake_catalog)
    fake_catalog.error = CatalogUnavailable("Amazon timed out")
    result = app.test_cli_runner().invoke(args=["refresh", "nasa-artemis"])
    assert result.exit_code == 1 and "Amazon timed out" in result.output


def test_refresh_due_skips_fresh_topics(runner):
    runner.invoke(args=["refresh", "--all"])
    result = runner.invoke(args=["refresh", "--due"])
    assert result.exit_code == 0 and "Nothing to refresh" in result.output


def widget_command(tmp_path, *args, **settings):
    """``python -m widget ARGS`` in a process of its own, on a store in tmp_path."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIDGET_")}
    store = {"WIDGET_STORE": f"sqlite:///{tmp_path}/w.db"}
    return subprocess.run(
        [sys.executable, "-m", "widget", *args],
        env=base | store | {"WIDGET_INSTANCE_DIR": str(tmp_path)} | settings,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_the_services_own_commands_and_logs_nothing(tmp_path):
    result = widget_command(tmp_path, "--help")
    assert result.returncode == 0 and result.stderr == ""
    commands = result.stdout.partition("Commands:")[2].split()
    for name in ("run", "topics", "refresh", "store", "stub-server"):
        assert name in commands
    for flask_only in ("--env-file", "--version", "routes", "shell", "Flask"):
        assert flask_only not in result.stdout


def test_commands_that_serve_nothing_do_not_warn_about_the_stub(tmp_path):
    result = widget_command(tmp_path, "topics", "list")
    assert result.returncode == 0 and "nasa-artemis" in result.stdout
    assert "STUB" not in result.stderr


def test_bad_settings_and_a_dead_store_are_one_plain_line(tmp_path):
    for settings, message in [
        ({"WIDGET_CATALOG": "ebay"}, "Error: WIDGET_CATALOG='ebay'"),
        ({"WIDGET_STORE": "redis://127.0.0.1:1/0"}, "Error: Redis store"),
    ]:
        result = widget_command(tmp_path, "topics", "list", **settings)
        assert result.returncode == 1
        assert message in result.stderr and "Traceback" not in result.stderr


def test_a_huge_refresh_interval_is_a_clear_error(runner, tmp_path):
    """Issue 12, item 3: an OverflowError traceback before."""
    added = runner.invoke(
        args=["topics", "add", "Gardening", "--interval", "99999999999999999999d"]
    )
    assert added.exit_code == 1 and "refresh_interval" in added.output
    assert "Traceback" not in added.output and added.exception.__class__ is SystemExit
    path = tmp_path / "topics.json"
    path.write_text(
        json.dumps({"topics": [{"title": "Moss", "refresh_interval": 10**30}]})
    )
    imported = runner.invoke(args=["topics", "import", str(path)])
    assert imported.exit_code == 1 and "far too long" in imported.output
