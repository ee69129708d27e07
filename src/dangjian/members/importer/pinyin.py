"""Pinyin for 100,000 names: members.services.fill_pinyin's result, computed a character at a time where that is
provably the same.

pypinyin (what fill_pinyin calls) spends most of its time on a name segmenting the text into phrases; an import of a
large roster has tens of thousands of distinct names. A name that is all common Han characters and contains no
phrase of pypinyin's phrase dictionary is read character by character by pypinyin itself, so its pinyin is the
concatenation of its characters' pinyin, each computed once. Any other name (a phrase inside it, like 建国, a
rare character, a middle dot) goes through fill_pinyin whole. The tests compare both ways over every name the
scale-data generator can make and random character strings.
"""

import re
from types import SimpleNamespace

from ..services import fill_pinyin


def _filled(text: str) -> tuple[str, str]:
    holder = SimpleNamespace(name=text)
    fill_pinyin(holder)
    return holder.name_pinyin, holder.name_initials


_ALL_COMMON_HAN = re.compile("[\u4e00-\u9fff]+").fullmatch


def _plain_han(name: str, phrases: dict) -> bool:
    """Common Han characters only (CJK Unified Ideographs) and no phrase anywhere in the name."""
    if not _ALL_COMMON_HAN(name):
        return False
    size = len(name)
    for start in range(size - 1):
        for end in range(start + 2, size + 1):
            if name[start:end] in phrases:
                return False
    return True


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
        """Import pypinyin, which loads its dictionaries (slow: the importer does it while the file loads)."""
        from pypinyin.constants import PHRASES_DICT

        self.phrases = PHRASES_DICT
        return PHRASES_DICT

    def _by_chars(self, name: str) -> tuple[str, str]:
        chars = self.chars
        full = initials = ""
        for char in name:
            part = chars.get(char)
            if part is None:
                part = chars[char] = _filled(char)
            full += part[0]
            initials += part[1]
        return full, initials
