"""The translations of the client's pages: every word the sources hold is translated in every
language, nothing is left fuzzy, placeholders survive, and the committed .mo files are what
their .po files compile to (run `make translations` after changing words)."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from telehealth.i18n import DEFAULT_LANGUAGE, LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE})
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def source_messages() -> set[str]:
    """Every msgid babel.cfg's sources hold, extracted as `make translations` does."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found = extract_from_dir(ROOT, method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


def test_the_languages_are_the_translations_on_disk():
    on_disk = {p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir()}
    assert on_disk == set(TRANSLATED)


def test_the_sources_hold_the_client_pages_words():
    words = source_messages()
    assert {"Continue", "Connected", "Mute", "%(name)s has invited you to a session."} <= words


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_word_of_the_sources_is_in_the_catalogue(lang):
    missing = source_messages() - {m.id for m in catalogue(lang) if m.id}
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    messages = [m for m in catalogue(lang) if m.id]
    assert messages
    assert [m.id for m in messages if not m.string] == []
    assert [m.id for m in messages if m.fuzzy] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_survive_translation(lang):
    cat = catalogue(lang)
    assert [(m.id, errors) for m, errors in cat.check()] == []  # babel's own format checks
    for m in cat:
        if m.id:
            assert sorted(PLACEHOLDER.findall(m.string)) == sorted(PLACEHOLDER.findall(m.id)), m.id


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_committed_mo_file_is_the_compiled_po_file(lang):
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(lang))
    compiled.seek(0)
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        committed = gettext.GNUTranslations(f)
    expected = gettext.GNUTranslations(compiled)
    assert committed._catalog == expected._catalog  # the same messages, the same words
