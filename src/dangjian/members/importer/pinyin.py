"""Pinyin for 100,000 names: members.services.fill_pinyin's result, computed a character at a time where that is
provably the same.

pypinyin (what fill_pinyin calls) costs ~17 µs a name, mostly segmenting the text into phrases; an import of a
large roster has tens of thousands of distinct names. A name that is all common Han characters and contains no
phrase of pypinyin's phrase dictionary is read character by character by pypinyin itself, so its pinyin is the
concatenation of its characters' pinyin, each computed once. Any other name (a phrase inside it, like 建国, a
rare character, a middle dot) goes through fill_pinyin whole. The tests compare both ways over every name the
scale-data generator can make and random character strings.
"""

from types import SimpleNamespace

from ..services import fill_pinyin


def _filled(text: str) -> tuple[str, str]:
    holder = SimpleNamespace(name=text)
    fill_pinyin(holder)
    return holder.name_pinyin, holder.name_initials


def _plain_han(name: str, phrases: dict) -> bool:
    """Common Han characters only (CJK Unified Ideographs) and no phrase anywhere in the name."""
    if not all("\u4e00" <= char <= "\u9fff" for char in name):
        return False
    size = len(name)
    return not any(name[i:j] in phrases for i in range(size) for j in range(i + 2, size + 1))


class NamePinyin:
    """(name_pinyin, name_initials) of a name, as fill_pinyin sets them; cached by name and by character."""

    def __init__(self) -> None:
        self.phrases: dict | None = None
        self.names: dict[str, tuple[str, str]] = {}
        self.chars: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        found = self.names.get(name)
        if found is None:
            plain = _plain_han(name, self.phrases or self.load_dictionaries())
            found = self.names[name] = self._by_chars(name) if plain else _filled(name)
        return found

    def load_dictionaries(self) -> dict:
        """Import pypinyin, which loads its dictionaries (~0.25 s; the importer does it while the file loads)."""
        from pypinyin.constants import PHRASES_DICT

        self.phrases = PHRASES_DICT
        return PHRASES_DICT

    def _by_chars(self, name: str) -> tuple[str, str]:
        chars = self.chars
        parts = []
        for char in name:
            part = chars.get(char)
            if part is None:
                part = chars[char] = _filled(char)
            parts.append(part)
        return "".join(p for p, _ in parts), "".join(i for _, i in parts)
