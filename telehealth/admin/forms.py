"""Forms of the admin area."""

from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from ..web import PageForm


class ActionForm(PageForm):
    """A button that changes an account: only the CSRF token travels."""

    submit = SubmitField()


class AuditFilterForm(PageForm):
    """Filters of the audit log page (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    user = SelectField("Who", coerce=int, validate_choice=True)
    action = StringField("Action starts with", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    submit = SubmitField("Filter")
