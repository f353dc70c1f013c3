"""Forms for logging in and for creating staff accounts."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..models import ROLES

PASSWORD_RULES = [DataRequired(), Length(min=12, max=128)]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Log in")


class AccountForm(FlaskForm):
    """A new staff account with its first password (at least 12 characters)."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(r, r.capitalize()) for r in ROLES], default="therapist")
    password = PasswordField("Password (at least 12 characters)", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")
