"""Admins manage staff accounts (no clinical content here)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)


@bp.app_template_filter("dict_without_page")
def dict_without_page(args: dict) -> dict:
    """Query arguments of a listing, less its page number (the pager sets that)."""
    return {k: v for k, v in args.items() if k != "page"}


from . import views  # noqa: E402, F401
