"""Forms for logging in, the second factor, and staff accounts and passwords."""

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..models import ROLES
from ..web import PageForm

PASSWORD_RULES = [DataRequired(), Length(min=12, max=128)]


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
    password = PasswordField("Password (at least 12 characters)", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")


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
