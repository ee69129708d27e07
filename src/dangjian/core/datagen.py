"""Generators of plausible people shared by the demo and scale data sets (each app's demo.py and scale.py):
names, 籍贯 and area codes, ID numbers, phones, and ranks within a department. Nothing here knows an app: the
members' fields (category, education, pay …) are drawn by members/datagen.py on top of this.

Everything draws from the caller's random.Random in a fixed order, so a seed always gives the same people.
"""

import random
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from dangjian.core.lib import idcard

# --- People ------------------------------------------------------------------------------------------------

#: Common surnames with rough weights (per mille of the population).
SURNAMES = {
    "王": 71, "李": 70, "张": 67, "刘": 54, "陈": 45, "杨": 31, "赵": 23, "黄": 22, "周": 21, "吴": 20,
    "徐": 17, "孙": 15, "胡": 13, "朱": 13, "高": 12, "林": 12, "何": 12, "郭": 11, "马": 11, "罗": 9,
    "梁": 9, "宋": 8, "郑": 8, "谢": 7, "韩": 7, "唐": 7, "冯": 7, "于": 6, "董": 6, "程": 5, "曹": 5,
    "袁": 5, "邓": 5, "许": 5, "傅": 4, "沈": 4, "曾": 4, "彭": 4, "吕": 4, "苏": 4, "卢": 4, "蒋": 4,
    "蔡": 4, "贾": 3, "丁": 3, "魏": 3, "薛": 3, "叶": 3, "余": 3, "潘": 3, "杜": 3, "戴": 3, "夏": 3,
    "钟": 3, "汪": 3, "田": 3, "任": 3, "姜": 3, "范": 3, "方": 3, "石": 3, "姚": 2, "谭": 2, "廖": 2,
    "邹": 2, "熊": 2, "金": 2, "陆": 2, "郝": 2, "孔": 2, "白": 2, "崔": 2, "康": 2, "毛": 2, "邱": 2,
    "秦": 2, "江": 2, "史": 2, "顾": 2, "侯": 2, "邵": 2, "孟": 2, "龙": 2, "段": 2, "雷": 2, "欧阳": 1,
}  # fmt: skip
GIVEN_FIRST = {
    True: "建志文海国永宏俊振晓子家嘉浩天明立世德正小伟新春",
    False: "晓秀丽玉雨思佳梦雅静美春海欣文嘉小雪慧",
}
GIVEN_LAST = {
    True: "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰国志海东博晨阳振亮成立新斌刚",
    False: "芳娜敏静丽艳娟霞秀燕玲婷雪琳洁红梅莉萍倩颖慧佳欣悦璐晶雯丹蕾妍薇琪瑶怡",
}
#: Realistic 6-digit administrative area codes (GB/T 2260) with the 籍贯 they stand for, and a weight.
AREAS = [
    ("110101", "北京东城", 6), ("110102", "北京西城", 6), ("110105", "北京朝阳", 5), ("110108", "北京海淀", 5),
    ("120101", "天津和平", 3), ("130102", "河北石家庄", 4), ("140105", "山西太原", 3), ("210102", "辽宁沈阳", 3),
    ("220102", "吉林长春", 2), ("230102", "黑龙江哈尔滨", 2), ("320102", "江苏南京", 4), ("320583", "江苏昆山", 2),
    ("330106", "浙江杭州", 3), ("340104", "安徽合肥", 3), ("350102", "福建福州", 2), ("360102", "江西南昌", 2),
    ("370102", "山东济南", 5), ("370202", "山东青岛", 3), ("410105", "河南郑州", 4), ("420102", "湖北武汉", 4),
    ("430102", "湖南长沙", 3), ("440106", "广东广州", 2), ("450102", "广西南宁", 2), ("500103", "重庆渝中", 2),
    ("510104", "四川成都", 3), ("530102", "云南昆明", 2), ("610113", "陕西西安", 3), ("620102", "甘肃兰州", 2),
]  # fmt: skip
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "156", "158", "159", "166", "176", "177", "178", "180", "181", "182", "185", "186", "187",
                  "188", "189", "198", "199"]  # fmt: skip

_SURNAMES = list(SURNAMES)
# Cumulative weights computed once: random.choices gives the same draw as with plain weights, only faster.
_SURNAME_CUM = list(accumulate(SURNAMES.values()))
_AREA_CUM = list(accumulate(a[2] for a in AREAS))

# --- Ranks ------------------------------------------------------------------------------------------------

#: Ranks of a person within their department.
HEAD, DEPUTY, STAFF = "head", "deputy", "staff"


def deputies_for(size: int) -> int:
    """Deputy heads (副处长, 副主任) of a department with `size` party members."""
    return 0 if size < 8 else (1 if size < 25 else 2)


def head_title_for(department: str) -> str:
    """处长 for a 处, 院长 for a 院, 站长 for a 站, 主任 for an 办公室, 中心 or 室."""
    for suffix, title in (("处", "处长"), ("院", "院长"), ("站", "站长")):
        if department.endswith(suffix):
            return title
    return "主任"


# --- The generator -----------------------------------------------------------------------------------------


@dataclass
class PeopleGenerator:
    """Draws people from `rng`. ID numbers and phones are always unique (pre-fill the sets with those already
    stored); names are unique only with `unique_names` (a small set reads better; 100,000 people cannot be)."""

    rng: random.Random
    today: date
    unique_names: bool = True

    def __post_init__(self) -> None:
        self.names: set[str] = set()
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def name(self, male: bool) -> str:
        """A 2–3 character name: a weighted common surname and a one- or two-character given name."""
        rng = self.rng
        while True:
            surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
            last = rng.choice(GIVEN_LAST[male])
            first = "" if rng.random() < 0.3 else rng.choice(GIVEN_FIRST[male])
            name = surname + first + last
            if first != last and len(name) <= 3 and (not self.unique_names or name not in self.names):
                if self.unique_names:
                    self.names.add(name)
                return name

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def area(self) -> tuple[str, str, int]:
        """(area code, 籍贯, weight), weighted."""
        return self.rng.choices(AREAS, cum_weights=_AREA_CUM)[0]

    def id_number(self, area: str, birth: date, male: bool) -> str:
        while True:
            number = idcard.make(area, birth, self.rng.randint(0, 499), male=male)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), list(weights.values()))[0]
