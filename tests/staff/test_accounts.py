"""Staff accounts: which passwords an account may have."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from telehealth.extensions import db
from telehealth.models import User
from telehealth.staff.accounts import AccountError, create_user


@pytest.mark.parametrize(
    "password",
    ["short", "passwordpassword", "Password2024!!!", "qwerty123456", "aaaaaaaaaaaaaaaa"],
)
def test_weak_or_common_passwords_are_refused(app, password):
    with pytest.raises(AccountError):
        create_user("someone@example.org", password, "therapist")
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_long_uncommon_password_is_accepted_without_composition_rules(app):
    user = create_user("someone@example.org", "river otter lantern", "therapist")
    assert user.password_hash.startswith("scrypt:")
