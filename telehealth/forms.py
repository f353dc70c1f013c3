"""Forms more than one blueprint uses."""

from wtforms import SubmitField

from .web import PageForm


class ActionForm(PageForm):
    """A button that changes something (an account, a client, a session): only the CSRF
    token travels."""

    submit = SubmitField()
