"""The audit log page: who did what, when, from where; filters; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from telehealth.extensions import db
from telehealth.models import AuditEvent, utcnow
from tests.support import Auth


@pytest.fixture
def admin(app, make):
    user = make.user("admin")
    http = app.test_client()
    Auth(http).login(user)
    return http


def add(action, user=None, days_ago=0, detail=None):
    db.session.add(
        AuditEvent(
            action=action,
            user_id=user.id if user else None,
            at=utcnow() - timedelta(days=days_ago),
            address="198.51.100.7",
            detail=detail,
        )
    )
    db.session.commit()


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


def test_logins_and_failures_are_on_the_page(admin, make, app):
    user = make.user()
    Auth(app.test_client()).login(user)
    Auth(app.test_client()).login(user, password="wrong password here")
    text = admin.get("/admin/audit").text
    assert "login.failed" in text and user.email in text


def test_the_audit_log_filters_by_user_action_and_date(admin, make):
    alice, bob = make.user(), make.user()
    add("link.issued", alice, days_ago=3)
    add("link.issued", bob, days_ago=1)
    add("session.opened", alice, days_ago=1)
    day = (utcnow() - timedelta(days=1)).date().isoformat()
    csv_rows = rows(admin.get(f"/admin/audit.csv?user={alice.id}&action=link.&date_from=&date_to="))
    assert [r[2] for r in csv_rows[1:]] == ["link.issued"] and csv_rows[1][1] == alice.email
    dated = rows(admin.get(f"/admin/audit.csv?user=0&date_from={day}&date_to={day}"))
    assert sorted(r[2] for r in dated[1:]) == ["link.issued", "session.opened"]
    page = admin.get(f"/admin/audit?user={bob.id}&action=link")
    assert page.status_code == 200 and page.text.count("link.issued") == 1


@pytest.mark.parametrize(
    "query", ["date_from=yesterday", "user=abc", "user=99999", "date_to=2026-13-40"]
)
def test_bad_filters_get_a_clear_message_not_an_error(admin, query):
    response = admin.get(f"/admin/audit?{query}")
    assert response.status_code == 400 and "not understood" in response.text


def test_the_csv_export_is_an_attachment_with_formulas_defused(admin):
    add("login.failed", detail="=cmd|' /C calc'!A0")
    response = admin.get("/admin/audit.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert rows(response)[0] == [
        "when (UTC)",
        "who",
        "action",
        "address",
        "session",
        "detail",
        "client",
    ]
    details = [r[5] for r in rows(response)[1:]]
    assert "'=cmd|' /C calc'!A0" in details


def test_no_route_changes_or_removes_audit_events(app):
    methods = {
        (m, rule.rule)
        for rule in app.url_map.iter_rules()
        if "audit" in rule.rule
        for m in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert methods == {("GET", "/admin/audit"), ("GET", "/admin/audit.csv")}


def test_the_action_filter_matches_underscores_and_percent_literally(admin):
    add("mfa.recovery_code_used")
    add("mfa.recoveryXcode_used")
    add("link.issued")
    found = rows(admin.get("/admin/audit.csv?user=0&action=mfa.recovery_code"))
    assert [r[2] for r in found[1:]] == ["mfa.recovery_code_used"]
    assert rows(admin.get("/admin/audit.csv?user=0&action=%25"))[1:] == []
    assert rows(admin.get("/admin/audit.csv?user=0&action=mfa%25used"))[1:] == []


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (-3, "'-3"),
        (None, ""),
        (7, "7"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_csv_cell_never_starts_a_formula(value, written):
    from telehealth.exports import cell

    assert cell(value) == written
