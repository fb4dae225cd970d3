"""Every interface string is in Bahasa Indonesia in the code and has an English translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _walked(dirpath: str) -> bool:
    """Babel skips folders starting with "_" by default: templates/_macros must be read."""
    name = Path(dirpath).name
    return not name.startswith(".") and name != "__pycache__"


def extracted_ids() -> set[str]:
    method_map = [("marketplace/**.py", "python"), ("templates/**.html", "jinja2")]
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, directory_filter=_walked
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_english_catalogue_is_complete():
    with open(ROOT / "marketplace/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = {
            m.id if isinstance(m.id, str) else m.id[0]: m.string
            if isinstance(m.id, str)
            # a plural message: every form translated
            else all(m.string)
            for m in read_po(handle)
            if m.id
        }
    missing = sorted(i for i in extracted_ids() if not catalogue.get(i))
    assert not missing, "untranslated (run `make i18n` and translate): " + "; ".join(missing[:10])
