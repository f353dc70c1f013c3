"""Forms more than one blueprint uses."""

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A button that changes something (an account, a client, a session): only the CSRF
    token travels."""

    submit = SubmitField()
