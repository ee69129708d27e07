"""How a name may be typed in pinyin: its primary reading (stored in name_pinyin / name_initials, indexed, sorted by)
and the other readings people use (name_pinyin_alt), so 曾凯 is found by zk, zengkai, ck and cengkai.

pypinyin 0.55 has no surname mode: it reads 曾 as ceng, 单 as dan, 解 as jie (the common word readings). The surname
position uses the surname readings below (百家姓 readings as the national standard dictionaries give them), and
the common word reading stays searchable as an alternate, since many people type it. Given names add the common
readings of a short list of polyphonic characters that are frequent in names (pypinyin's full heteronym lists
include readings nobody types, 明 as meng, 平 as bing, which would put a third of the roster into the alternates).
Bounded: at most MAX_VARIANTS full readings per name.

Pure functions over plain values; the caller passes the per-character syllables pypinyin gave (fill_pinyin reads
the whole name, the importer character by character where that is the same).
"""

import itertools
import re

#: full readings per name at most (the primary one included): a name of four polyphonic characters would give 16.
MAX_VARIANTS = 8
#: the stored alternates' length at most (the column's max_length).
ALT_MAX_LENGTH = 400

# Compound surnames (复姓) whose pypinyin reading is not the surname one, or that people type either way.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu chi", "wei chi"),
    "万俟": ("mo qi", "wan si"),
    "长孙": ("zhang sun", "chang sun"),
    "单于": ("chan yu", "shan yu", "dan yu"),
    "澹台": ("tan tai", "dan tai"),
    "令狐": ("ling hu",),
    "皇甫": ("huang fu",),
    "宇文": ("yu wen",),
}

# Single-character surnames read differently as a surname (first the surname reading, then the others people type).
SURNAMES: dict[str, tuple[str, ...]] = {
    "曾": ("zeng", "ceng"),
    "单": ("shan", "dan"),
    "解": ("xie", "jie"),
    "仇": ("qiu", "chou"),
    "区": ("ou", "qu"),
    "朴": ("piao", "pu"),
    "查": ("zha", "cha"),
    "覃": ("qin", "tan"),
    "缪": ("miao", "mou", "miu"),
    "乐": ("yue", "le"),
    "盖": ("ge", "gai"),
    "种": ("chong", "zhong"),
    "繁": ("po", "fan"),
    "员": ("yun", "yuan"),
    "召": ("shao", "zhao"),
    "黑": ("he", "hei"),
    "宓": ("mi", "fu"),
    "秘": ("bi", "mi"),
    "折": ("she", "zhe"),
    "祭": ("zhai", "ji"),
    "隗": ("wei", "kui"),
    "翟": ("zhai", "di"),
    "沈": ("shen",),
    "重": ("chong", "zhong"),
    "长": ("chang", "zhang"),
    "柏": ("bai", "bo"),
    "薄": ("bo", "bao"),
    "任": ("ren",),
    "华": ("hua",),
    "纪": ("ji",),
    "燕": ("yan",),
    "过": ("guo",),
    "句": ("gou", "ju"),
    "阚": ("kan",),
    "那": ("na",),
    "尉": ("wei", "yu"),
    "蕃": ("pi", "fan"),
    "谌": ("chen", "shen"),
    "冼": ("xian",),
    "洗": ("xian", "xi"),
    "车": ("che",),
    "都": ("du",),
    "藏": ("zang",),
    "卜": ("bu",),
    "贲": ("ben", "bi"),
    "相": ("xiang",),
    "和": ("he",),
    "阿": ("a", "e"),
}

# Polyphonic characters frequent in given names, with the readings people type for them (the first is not
# necessarily pypinyin's: the order does not matter here, pypinyin's own reading stays the primary one).
GIVEN_NAME_READINGS: dict[str, tuple[str, ...]] = {
    "乐": ("le", "yue"),
    "长": ("chang", "zhang"),
    "朝": ("zhao", "chao"),
    "重": ("zhong", "chong"),
    "行": ("xing", "hang"),
    "传": ("chuan", "zhuan"),
    "茜": ("qian", "xi"),
    "单": ("dan", "shan"),
    "曾": ("zeng", "ceng"),
    "都": ("du", "dou"),
    "强": ("qiang", "jiang"),
    "觉": ("jue", "jiao"),
    "柏": ("bai", "bo"),
    "蔚": ("wei", "yu"),
    "奇": ("qi", "ji"),
    "石": ("shi", "dan"),
    "会": ("hui", "kuai"),
    "省": ("sheng", "xing"),
    "解": ("jie", "xie"),
    "便": ("bian", "pian"),
    "率": ("shuai", "lv"),
    "调": ("tiao", "diao"),
    "参": ("can", "shen"),
    "藏": ("cang", "zang"),
    "兴": ("xing",),
    "少": ("shao",),
    "正": ("zheng",),
    "广": ("guang",),
    "莘": ("shen", "xin"),
    "晟": ("sheng", "cheng"),
    "贲": ("ben", "bi"),
    "燕": ("yan",),
    "盛": ("sheng", "cheng"),
    "查": ("cha", "zha"),
    "种": ("zhong", "chong"),
    "仇": ("chou", "qiu"),
    "区": ("qu", "ou"),
    "覃": ("tan", "qin"),
    "缪": ("miao", "mou"),
    "翟": ("zhai", "di"),
    "朴": ("pu", "piao"),
}

_ALL_HAN = re.compile("[\u3400-\u9fff]+").fullmatch


def _surname(name: str) -> tuple[int, tuple[str, ...]] | None:
    """(characters, readings) of the name's surname when it is one read otherwise as a surname."""
    for compound, readings in COMPOUND_SURNAMES.items():
        if name.startswith(compound) and len(name) > len(compound):
            return len(compound), readings
    readings = SURNAMES.get(name[0])
    if readings is not None and len(name) > 1:
        return 1, readings
    return None


def name_readings(name: str, syllables: list[str]) -> tuple[str, str, str]:
    """(full pinyin, initials, alternates) of a name; `syllables` is pypinyin's reading, lower case, one a syllable.

    The alternates are the other full readings and initials, each after a space (" cengkai ck"), so a search
    matches a word's start with LIKE '% q%'; empty for most names."""
    fallback = ("".join(syllables), "".join(s[0] for s in syllables if s), "")
    if not syllables or len(syllables) != len(name) or not _ALL_HAN(name):
        # A middle dot, a Latin letter, a character pypinyin does not know: the readings cannot be told apart by
        # character, so the name is stored as pypinyin reads it.
        return fallback
    # Each position's choices: a list of syllable lists (a compound surname is one position of two syllables).
    positions: list[list[list[str]]] = []
    start = 0
    surname = _surname(name)
    if surname is not None:
        size, readings = surname
        own = syllables[:size]
        choices = [r.split() for r in readings]
        if own not in choices:
            choices.append(own)
        positions.append(choices)
        start = size
    for index in range(start, len(name)):
        own = [syllables[index]]
        choices = [own]
        for reading in GIVEN_NAME_READINGS.get(name[index], ()):
            if [reading] not in choices:
                choices.append([reading])
        positions.append(choices)
    variants: list[list[str]] = []
    # The first position (the surname) varies fastest, so its readings are never the ones cut off by the bound.
    for combination in itertools.islice(itertools.product(*reversed(positions)), MAX_VARIANTS):
        variants.append([s for part in reversed(combination) for s in part])
    fulls = ["".join(v) for v in variants]
    initials = ["".join(s[0] for s in v) for v in variants]
    primary_full, primary_initials = fulls[0], initials[0]
    words: list[str] = []
    for word in (*fulls[1:], *initials[1:]):
        if word not in words and word not in (primary_full, primary_initials):
            words.append(word)
    alt = ""
    for word in words:
        if len(alt) + 1 + len(word) > ALT_MAX_LENGTH:
            break
        alt += " " + word
    return primary_full, primary_initials, alt
