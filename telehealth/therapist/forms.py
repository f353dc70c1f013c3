"""Forms of the therapist's pages."""

from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..i18n import LANGUAGES
from ..models import SCORE_KINDS, TARGET_KINDS, TARGET_STATUSES, TARGET_TEXT
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


ONE_LINE = Regexp(r"\A[^\x00-\x1f\x7f]*\Z", message="Plain text on one line only.")


def _target_text(label: str, name: str, description: str = "", **validators) -> StringField:
    limit = TARGET_TEXT[name]
    return StringField(
        label,
        filters=[_stripped],
        validators=[
            *validators.get("required", [Optional()]),
            Length(max=limit, message=f"Keep this to {limit} characters or fewer."),
            ONE_LINE,
        ],
        description=description,
    )


def _score_field(kind: str, label: str) -> IntegerField:
    low, high = SCORE_KINDS[kind]
    return IntegerField(
        f"{label} ({low}–{high})",
        validators=[
            Optional(),
            NumberRange(low, high, message=f"A {kind.upper()} is a whole number {low} to {high}."),
        ],
        description="As assessed; the scores of the sets are kept apart.",
    )


TARGET_KIND_CHOICES = [SelectChoice(key, words) for key, words in TARGET_KINDS.items()]
TARGET_STATUS_CHOICES = [SelectChoice(key, words) for key, words in TARGET_STATUSES.items()]


class TargetForm(PageForm):
    """A target of the treatment plan: what it is, its assessment in the standard order, its
    status and the target it was found from by floating back."""

    kind = SelectField("Kind", choices=TARGET_KIND_CHOICES, default="past", validate_choice=True)
    title = _target_text(
        "Target",
        "title",
        "A few words the therapist and client both recognise.",
        required=[DataRequired(message="Name the target in a few words.")],
    )
    image = TextAreaField(
        "Image",
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=TARGET_TEXT["image"], message="Keep the image to 500 characters or fewer."),
            SAFE_TEXT,
        ],
        description="The picture that represents the worst part.",
    )
    negative_cognition = _target_text("Negative cognition", "negative_cognition")
    positive_cognition = _target_text("Positive cognition", "positive_cognition")
    voc = _score_field("voc", "VOC")
    emotions = _target_text("Emotions", "emotions")
    sud = _score_field("sud", "SUD")
    body_location = _target_text("Body location", "body_location")
    status = SelectField(
        "Status", choices=TARGET_STATUS_CHOICES, default="not_started", validate_choice=True
    )
    floated_from = SelectField(
        "Found by floating back from",
        coerce=int,
        validate_choice=True,
        description="The target whose floating back led to this one: a present trigger that led "
        "back to this earlier (touchstone) memory, say.",
    )
    submit = SubmitField("Save the target")


class TargetStatusForm(PageForm):
    status = SelectField("Status", choices=TARGET_STATUS_CHOICES, validate_choice=True)
    submit = SubmitField("Set")


class MoveForm(PageForm):
    """Up or down one place; the pressed button's value."""

    direction = SelectField(
        "Move", choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")]
    )
