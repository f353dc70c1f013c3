"""Forms of the therapist's pages."""

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..i18n import LANGUAGES
from ..web import PageForm

CLIENT_LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGES.items()]


def client_language_field() -> SelectField:
    return SelectField(
        "Language of the client's pages",
        choices=CLIENT_LANGUAGE_CHOICES,
        default="en",
        validate_choice=True,
        description="The client can still choose another on their welcome page.",
    )


class ClientForm(PageForm):
    pseudonym = StringField(
        "Pseudonym",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"\A[^\x00-\x1f<>]+\Z", message="Letters, digits and punctuation only."),
        ],
        description="No real name needed: a code or a first initial is enough.",
    )
    language = client_language_field()
    submit = SubmitField("Add client")


SAFE_TEXT = Regexp(r"\A[^\x00-\x08\x0b\x0c\x0e-\x1f]*\Z", message="Plain text only.")


class ClientDetailsForm(PageForm):
    """What a therapist keeps about a client: all optional but the pseudonym."""

    pseudonym = ClientForm.pseudonym
    language = client_language_field()
    initials = StringField("Initials", validators=[Optional(), Length(max=8), SAFE_TEXT])
    pronouns = StringField("Pronouns", validators=[Optional(), Length(max=32), SAFE_TEXT])
    preferences = TextAreaField(
        "Preferences",
        validators=[Optional(), Length(max=2000), SAFE_TEXT],
        description="What suits this client: speed, colours, sound.",
    )
    preset_id = SelectField("Preset for new sessions", coerce=int, validate_choice=True)
    submit = SubmitField("Save")


class DeleteClientForm(PageForm):
    """Erasing a client needs the pseudonym typed again."""

    confirm = StringField(
        "Type the pseudonym to confirm", validators=[DataRequired(), Length(max=64)]
    )
    submit = SubmitField("Erase this client and all their records")


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class StrikeForm(PageForm):
    """Striking a set from the record needs a reason, kept with the set."""

    reason = StringField(
        "Reason",
        filters=[_stripped],
        validators=[
            DataRequired(message="Give a reason for striking this set."),
            Length(max=200, message="Keep the reason to 200 characters or fewer."),
            Regexp(r"\A[^\x00-\x1f\x7f]*\Z", message="The reason must be plain text on one line."),
        ],
    )
    submit = SubmitField("Strike this set")
