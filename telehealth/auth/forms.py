"""Forms for logging in, the second factor, and staff accounts and passwords."""

import unicodedata

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..models import ROLES
from ..web import PageForm

PASSWORD_RULES = [DataRequired(), Length(min=12, max=128)]


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def plain_text(_form, field) -> None:
    """No control, format or line-breaking character (a tab, a newline, a bidi override):
    what a client reads on the welcome page is the text the staff member typed, on one line."""
    categories = {unicodedata.category(ch) for ch in field.data}
    if any(c[0] == "C" or c in ("Zl", "Zp") for c in categories):
        raise ValidationError("Letters, digits, spaces and punctuation only.")


def display_name_field() -> StringField:
    """The name clients see (on the welcome page): 1 to 80 characters, blank for none."""
    return StringField(
        "Display name shown to clients",
        filters=[_stripped],
        validators=[Optional(), Length(max=80, message="At most 80 characters."), plain_text],
        description='For example "Dr. Ana Ruiz". Leave it blank and clients read "your therapist"; '
        "they never see your email address.",
    )


class LoginForm(PageForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Log in")


class CodeForm(PageForm):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code", validators=[DataRequired(), Length(max=32)], render_kw={"inputmode": "numeric"}
    )
    submit = SubmitField("Continue")


class AccountForm(PageForm):
    """A new staff account with its first password (at least 12 characters)."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role", choices=[SelectChoice(r, r.capitalize()) for r in ROLES], default="therapist"
    )
    display_name = display_name_field()
    password = PasswordField("Password (at least 12 characters)", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")


class DisplayNameForm(PageForm):
    """A staff member's own name as clients see it."""

    display_name = display_name_field()
    submit = SubmitField("Save")


class ChangePasswordForm(PageForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])
    password = PasswordField("New password (at least 12 characters)", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )
    submit = SubmitField("Change password")


class MfaSetupForm(PageForm):
    code = StringField(
        "Code shown by the app",
        validators=[DataRequired(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField("Turn on two-step login")


class ConfirmPasswordForm(PageForm):
    """Re-enter the password before a sensitive change."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Confirm")
