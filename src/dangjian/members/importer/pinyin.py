"""Pinyin for 100,000 names: members.services.fill_pinyin's result, with the syllables read a character at a time
where that is provably the same.

pypinyin (what fill_pinyin calls) spends most of its time on a name segmenting the text into phrases; an import of a
large roster has tens of thousands of distinct names. A name that is all common Han characters and contains no
phrase of pypinyin's phrase dictionary is read character by character by pypinyin itself, so its syllables are its
characters' syllables, each computed once; members.readings then adds the surname's and the other readings, as for
fill_pinyin. Any other name (a phrase inside it, like 建国, a rare character, a middle dot) goes through pypinyin
whole. The tests compare both ways over every name the scale-data generator can make and random character strings.
"""

import re

from ..readings import name_readings
from ..services import name_syllables

Readings = tuple[str, str, str]  # name_pinyin, name_initials, name_pinyin_alt


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
    """(name_pinyin, name_initials, name_pinyin_alt) of a name, as fill_pinyin sets them; cached by name, and the
    syllables by character."""

    def __init__(self) -> None:
        self.phrases: dict | None = None
        self.names: dict[str, Readings] = {}
        self.chars: dict[str, list[str]] = {}

    def __call__(self, name: str) -> Readings:
        found = self.names.get(name)
        if found is None:
            plain = _plain_han(name, self.phrases or self.load_dictionaries())
            found = self.names[name] = name_readings(name, self._by_chars(name) if plain else name_syllables(name))
        return found

    def load_dictionaries(self) -> dict:
        """Import pypinyin, which loads its dictionaries (slow: the importer does it while the file loads)."""
        from pypinyin.constants import PHRASES_DICT

        self.phrases = PHRASES_DICT
        return PHRASES_DICT

    def _by_chars(self, name: str) -> list[str]:
        chars = self.chars
        syllables: list[str] = []
        for char in name:
            part = chars.get(char)
            if part is None:
                part = chars[char] = name_syllables(char)
            syllables += part
        return syllables
