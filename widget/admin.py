"""Admin web pages: log in with the admin token, see every topic's health,
refresh, add, edit and remove topics, preview widgets with their embed code.

Every route answers 503 while no admin token is set; every POST carries the
session's CSRF token; every page is ``no-store`` and unframable (the default
CSP in ``headers.py`` says ``frame-ancestors 'none'``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash as _flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response as BaseResponse

from widget import auth
from widget.admin_edit import BASE_FIELD
from widget.admin_edit import VERSION_FIELD
from widget.admin_edit import EditConflict
from widget.admin_edit import form_base
from widget.admin_edit import save_edit
from widget.admin_stores import every_store_row
from widget.admin_stores import refresh_stores
from widget.admin_stores import store_rows
from widget.admin_table import topic_row
from widget.chart import stats_chart
from widget.csrf import FIELD
from widget.csrf import check_csrf
from widget.csrf import csrf_token
from widget.csrf import rotate_csrf
from widget.embed import reserve_style
from widget.embed import snippets
from widget.errors import BadRequest
from widget.errors import NotFound
from widget.headers import widget_csp
from widget.jobs import JobRecord
from widget.lookup import public_base_url
from widget.lookup import refresh_job
from widget.lookup import stored_state
from widget.models import Topic
from widget.models import TopicState
from widget.params import variant_for
from widget.refresh import Outcome
from widget.refresh import RefreshResult
from widget.services import services
from widget.site import stub_lists
from widget.stats import DEFAULT_DAYS
from widget.stats import parse_days
from widget.stats import report_csv
from widget.stats import titles_of
from widget.stats import topic_report
from widget.store import TopicExists
from widget.store import TopicNotFound
from widget.topics import TOPIC_FIELDS
from widget.topics import TopicInvalid
from widget.topics import form_values
from widget.topics import parse_topic

bp = Blueprint("admin", __name__, url_prefix="/admin")


#: Flash messages travel in the session cookie, which browsers drop past
#: 4 KB: each message is cut to this many characters, each list of topics
#: to ``MAX_LISTED`` names.
MAX_FLASH = 600
MAX_LISTED = 10


def flash(message: str, category: str = "message") -> None:
    if len(message) > MAX_FLASH:
        message = message[: MAX_FLASH - 1] + "…"
    _flash(message, category)


def _listed(slugs: list[str]) -> str:
    """ "a, b, c" or "a, b, ... and 150 more"."""
    shown = ", ".join(slugs[:MAX_LISTED])
    more = len(slugs) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


@bp.before_request
def guard() -> BaseResponse | None:
    auth.admin_token()  # 503 with a how-to while unset
    if request.method == "POST":
        check_csrf(request.form.get(FIELD))
    if request.endpoint == "admin.login":
        return None
    if not auth.admin_session_valid():
        return redirect(url_for("admin.login", next=request.path))
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def template_helpers() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


def _safe_next(target: str | None) -> str:
    """Only our own admin paths, never another site ("//evil.example").

    :raises BadRequest: for control characters (CR/LF would split the
        ``Location`` header).
    """
    if target and any(ord(c) < 32 or ord(c) == 127 for c in target):
        raise BadRequest("The return address (next) holds control characters.")
    if target and target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int]:
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("admin/login.html", next=next_url), 200
    auth.check_not_throttled()
    if not auth.token_matches(request.form.get("token", "").encode("utf-8")):
        auth.record_failure()
        return (
            render_template(
                "admin/login.html", next=next_url, error="That token is not right."
            ),
            401,
        )
    auth.open_admin_session()
    rotate_csrf()
    return redirect(next_url)


@bp.post("/logout")
def logout() -> BaseResponse:
    auth.close_admin_session()
    rotate_csrf()
    flash("You are logged out.")
    return redirect(url_for("admin.login"))


@bp.get("/")
def index() -> str:
    found = services()
    now = found.lists.now()
    stored = found.store.list_states()
    rows = [topic_row(found.lists.serving(state), now) for state in stored]
    return render_template(
        "admin/index.html",
        rows=rows,
        stores=every_store_row(found.lists, [r.slug for r in rows], now),
        catalog=found.catalog.name,
        stub_lists=stub_lists(stored),
    )


@bp.get("/topics/<slug>")
def topic(slug: str) -> str:
    state = stored_state(slug)
    found = services()
    count = state.topic.item_count
    base_url = public_base_url()
    return render_template(
        "admin/topic.html",
        state=state,
        row=topic_row(found.lists.serving(state), found.lists.now()),
        stores=store_rows(found.lists, slug, found.lists.now()),
        history=found.store.history(slug),
        base_url=base_url,
        embed=snippets(base_url, slug, state.topic.title, count=count),
        preview_height=reserve_style("list", count, "en", "height"),
        count=count,
        **stats_context(state),
    )


def stats_context(state: TopicState) -> dict[str, Any]:
    """The topic page's counts: 30 days as a chart, top items and pages."""
    found = services()
    report = topic_report(found.store, state, found.lists.now(), DEFAULT_DAYS)
    return {
        "report": report,
        "chart": stats_chart(report.days),
        "titles": titles_of(state),
        "analytics": found.config["WIDGET_ANALYTICS"],
    }


@bp.get("/topics/<slug>/stats.csv")
def stats_csv(slug: str) -> Response:
    try:
        days = parse_days(request.args.get("days"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    state = stored_state(slug)
    found = services()
    report = topic_report(found.store, state, found.lists.now(), days)
    return Response(
        report_csv(report),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}-stats.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/topics/<slug>/preview")
def preview(slug: str) -> Response:
    """The widget as it is now: not the public URL, which browsers cache."""
    stored_state(slug)
    variant, _ = variant_for("document", request.query_string, "")
    try:
        rendered = services().lists.widget(slug, variant)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    headers = {
        # Its beacons may run; the service's own pages never count.
        "Content-Security-Policy": widget_csp(
            "'self'", services().config["WIDGET_ANALYTICS"]
        ),
        "X-Content-Type-Options": "nosniff",
    }
    status = 200 if rendered.has_list else 503
    return Response(rendered.body, status, headers, mimetype="text/html")


def _render_form(
    existing: Topic | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    *,
    hidden: dict[str, str] | None = None,
    theirs: dict[str, str] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "admin/form.html",
        existing=existing,
        values=values,
        errors=errors,
        fields=TOPIC_FIELDS,
        hidden=hidden or {},
        theirs=theirs or {},
    )
    return page, status


def _typed() -> tuple[dict[str, str], dict[str, str]]:
    """Every field's value as the form shows it, and the fields it sent."""
    values = {f.name: request.form.get(f.name, "") for f in TOPIC_FIELDS}
    return values, {name: v for name, v in values.items() if name in request.form}


def _submitted() -> tuple[dict[str, str], Topic | None, dict[str, str]]:
    values, data = _typed()
    try:
        topic = parse_topic(data, settings=services().config)
    except TopicInvalid as exc:
        return values, None, exc.errors
    return values, topic, {}


@bp.route("/topics/new", methods=["GET", "POST"])
def add_topic() -> BaseResponse | tuple[str, int]:
    if request.method == "GET":
        return _render_form(None, form_values(None, services().config), {})
    values, topic, errors = _submitted()
    if topic is None:
        return _render_form(None, values, errors, 400)
    try:
        services().store.add_topic(topic)
    except TopicExists:
        errors = {"slug": f"{topic.slug!r} is taken; choose another"}
        return _render_form(None, values, errors, 409)
    flash(f"Added {topic.title}. Its first list is fetched on the first view.")
    return redirect(url_for("admin.topic", slug=topic.slug))


def _shown(topic: Topic) -> dict[str, str]:
    return form_values(topic, services().config)


def _build(data: dict[str, str], current: Topic) -> Topic:
    """:raises TopicInvalid:"""
    return parse_topic(data, settings=services().config, existing=current)


@bp.route("/topics/<slug>/edit", methods=["GET", "POST"])
def edit_topic(slug: str) -> BaseResponse | tuple[str, int]:
    state = stored_state(slug)
    if request.method == "GET":
        values = _shown(state.topic)
        return _render_form(state.topic, values, {}, hidden=form_base(state, values))
    values, typed = _typed()
    values["slug"] = slug  # shown, not editable
    typed.pop("slug", None)
    hidden = {k: request.form.get(k, "") for k in (VERSION_FIELD, BASE_FIELD)}
    try:
        saved = save_edit(
            services().store,
            slug,
            typed,
            version=hidden[VERSION_FIELD],
            base=hidden[BASE_FIELD],
            values_of=_shown,
            build=_build,
        )
    except TopicInvalid as exc:
        return _render_form(state.topic, values, exc.errors, 400, hidden=hidden)
    except EditConflict as exc:
        # Nothing saved: the admin's values stay in the form, beside what
        # someone else saved meanwhile, and saving again applies them.
        now = stored_state(slug)
        hidden = form_base(now, _shown(now.topic))
        return _render_form(
            now.topic, values, {}, 409, hidden=hidden, theirs=exc.theirs
        )
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    title = stored_state(slug).topic.title
    flash(f"Saved {title}. Refresh it to fetch a list with the new settings.")
    if saved.kept:
        flash(
            "Someone else changed this topic while you were editing; their"
            " changes to " + ", ".join(saved.kept) + " are kept.",
            "warning",
        )
    return redirect(url_for("admin.topic", slug=slug))


@bp.route("/topics/<slug>/remove", methods=["GET", "POST"])
def remove_topic(slug: str) -> BaseResponse | str:
    state = stored_state(slug)
    if request.method == "GET":  # a page to confirm on: removal cannot be undone
        return render_template("admin/remove.html", state=state)
    try:
        services().store.remove_topic(slug)
    except TopicNotFound:
        pass  # removed by someone else meanwhile: the outcome is the same
    flash(f"Removed {state.topic.title}. Pages embedding it now show nothing.")
    return redirect(url_for("admin.index"))


def _flash_result(result: RefreshResult) -> None:
    title = result.state.topic.title
    if result.outcome is Outcome.BUSY:
        flash(f"{title}: another worker is refreshing it right now.", "warning")
    elif result.outcome is Outcome.SKIPPED:
        flash(f"{title}: a newer list arrived meanwhile.")
    elif result.outcome.ok:
        count = len(result.state.snapshot.products) if result.state.snapshot else 0
        flash(f"{title}: refreshed, {count} items, {result.items_changed} changed.")
    else:
        message = result.error.message if result.error else "failed"
        flash(
            f"{title}: refresh failed ({message}). The last good list stays.",
            "error",
        )


def _follow(job: JobRecord) -> BaseResponse:
    flash(
        "The refresh takes longer than a page may wait; it goes on in the"
        " background and this page follows it.",
        "warning",
    )
    return redirect(url_for("admin.job", job_id=job.id))


@bp.post("/topics/<slug>/stores/refresh")
def refresh_topic_stores(slug: str) -> BaseResponse:
    return refresh_stores(slug)


@bp.post("/topics/<slug>/refresh")
def refresh_topic(slug: str) -> BaseResponse:
    job, result = refresh_job(slug, trigger="admin")
    if result is None:
        return _follow(job)
    _flash_result(result)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/refresh")
def refresh_all() -> BaseResponse:
    job, done = services().jobs.refresh_all(trigger="admin", due_only=False)
    if done is None:
        return _follow(job)
    results = done.results
    count = sum(1 for r in results if r.outcome.ok)
    busy = [r.slug for r in results if r.outcome is Outcome.BUSY]
    failed = [r.slug for r in results if r.outcome is Outcome.FAILED]
    # One summary line: a flash per topic could overflow the session cookie.
    flash(f"Refreshed {count} topic{'' if count == 1 else 's'}.")
    if busy:
        flash("Being refreshed by another worker: " + _listed(busy), "warning")
    if failed:
        flash(
            "Failed, the last good list stays (see the table): " + _listed(failed),
            "error",
        )
    if done.left:
        flash(
            "Not refreshed yet, past the time limit of one refresh-all: "
            + _listed(list(done.left))
            + ". Press the button again for them.",
            "warning",
        )
    return redirect(url_for("admin.index"))


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> str:
    record = services().jobs.record(job_id)
    if record is None:
        raise NotFound("There is no such refresh job (jobs are kept for a day).")
    return render_template("admin/job.html", job=record)
