"""Forms of the admin area."""

from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from ..web import PageForm


class AuditFilterForm(PageForm):
    """Filters of the audit log page (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    user = SelectField("Who", coerce=int, validate_choice=True)
    action = StringField("Action starts with", validators=[Optional(), Length(max=64)])
    client = IntegerField("Client id", validators=[Optional(), NumberRange(min=1)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    submit = SubmitField("Filter")
