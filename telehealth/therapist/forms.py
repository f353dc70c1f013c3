"""Forms of the therapist's pages."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class ClientForm(FlaskForm):
    pseudonym = StringField(
        "Pseudonym",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[^\x00-\x1f<>]+$", message="Letters, digits and punctuation only."),
        ],
        description="No real name needed: a code or a first initial is enough.",
    )
    submit = SubmitField("Add client")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""

    submit = SubmitField()
