"""Generators shared by demo data set S (core.demo) and scale data set L (core.scale): plausible people (names,
籍贯 and area codes, ID numbers, phones, ranks, pay, 职称) and the committee plans of branches.

Everything draws from the caller's random.Random in a fixed order, so a seed always gives the same people.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from dateutil.relativedelta import relativedelta

from dangjian.core.lib import idcard
from dangjian.core.lib.dates import years_before
from dangjian.members import rules as member_rules
from dangjian.members.choices import ETHNICITIES, Category, Education, Gender
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole

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
MINORITIES = ["回族", "满族", "蒙古族", "壮族", "朝鲜族", "土家族", "苗族", "彝族"]
MINORITY_SHARE = 0.06
#: Education weights by age band (upper bound exclusive).
EDUCATION_BY_AGE = [
    (35, {Education.POSTGRADUATE: 40, Education.BACHELOR: 55, Education.JUNIOR_COLLEGE: 5}),
    (50, {Education.POSTGRADUATE: 25, Education.BACHELOR: 60, Education.JUNIOR_COLLEGE: 12, Education.VOCATIONAL: 3}),
    (99, {Education.POSTGRADUATE: 8, Education.BACHELOR: 55, Education.JUNIOR_COLLEGE: 25, Education.VOCATIONAL: 7,
          Education.HIGH_SCHOOL: 5}),
]  # fmt: skip
#: Typical age on starting work, by education.
WORK_START_AGE = {
    Education.POSTGRADUATE: 25,
    Education.BACHELOR: 22,
    Education.JUNIOR_COLLEGE: 21,
    Education.VOCATIONAL: 19,
    Education.HIGH_SCHOOL: 18,
    Education.MIDDLE_SCHOOL: 17,
}
#: Ranks of the staff by age (upper bound exclusive) with their monthly 党费基数 range in yuan.
STAFF_RANKS = [(30, "科员", 3000, 6000), (37, "副主任科员", 5000, 8500), (46, "主任科员", 6500, 10500),
               (99, "四级调研员", 8500, 12500)]  # fmt: skip
DEPUTY_FEE = (9500, 13500)
HEAD_FEE = (11000, 15000)
#: 职称 ladders (junior, middle, senior) by department; other departments use the economist ladder.
TITLES = {
    "财务处": ("助理会计师", "会计师", "高级会计师"),
    "信息中心": ("助理工程师", "工程师", "高级工程师"),
    "档案室": ("助理馆员", "馆员", "副研究馆员"),
    "科技与标准处": ("助理工程师", "工程师", "高级工程师"),
}
DEFAULT_TITLES = ("助理经济师", "经济师", "高级经济师")
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "156", "158", "159", "166", "176", "177", "178", "180", "181", "182", "185", "186", "187",
                  "188", "189", "198", "199"]  # fmt: skip

# --- Committees --------------------------------------------------------------------------------------------

#: Roles of a branch committee (支委会) by its size (DOMAIN.md §1: 3–5).
BRANCH_SEATS = {
    3: [CommitteeRole.SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY],
    4: [CommitteeRole.SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY, CommitteeRole.DISCIPLINE],
    5: [CommitteeRole.SECRETARY, CommitteeRole.DEPUTY_SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY,
        CommitteeRole.DISCIPLINE],
}  # fmt: skip
GENERAL_BRANCH_SEATS = BRANCH_SEATS[5]
COMMITTEE_SEATS = [
    CommitteeRole.SECRETARY,
    CommitteeRole.DEPUTY_SECRETARY,
    CommitteeRole.ORGANIZATION,
    CommitteeRole.PUBLICITY,
    CommitteeRole.DISCIPLINE,
    CommitteeRole.YOUTH,
    CommitteeRole.MEMBER,
]


def branch_seat_count(full_members: int) -> int:
    """Seats on a branch committee: the thresholds count 正式党员 (预备党员 cannot vote or be elected)."""
    if full_members < org_rules.MEMBERS_FOR_COMMITTEE:
        return 1  # a secretary only
    if full_members < 18:
        return 3
    return 4 if full_members < 30 else 5


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

#: Ranks of a person within their department.
HEAD, DEPUTY, STAFF = "head", "deputy", "staff"

_SURNAMES = list(SURNAMES)
# Cumulative weights computed once: random.choices gives the same draw as with plain weights, only faster.
_SURNAME_CUM = list(accumulate(SURNAMES.values()))
_AREA_CUM = list(accumulate(a[2] for a in AREAS))


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

    def id_number(self, area: str, birth: date, male: bool) -> str:
        while True:
            number = idcard.make(area, birth, self.rng.randint(0, 499), male=male)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def person(self, *, rank: str, probationary: bool, department: str, head_title: str) -> dict:
        """Field values of a Member (all but org and group): age by rank, birth date and gender agreeing with the
        ID number, join and full-membership dates by category, education, position and pay by age and rank."""
        rng, today = self.rng, self.today
        male = rng.random() < 0.58
        if rank == HEAD:
            age = rng.randint(45, 57)
        elif rank == DEPUTY:
            age = rng.randint(38, 54)
        elif probationary:
            age = rng.randint(23, 32)
        else:
            age = int(rng.triangular(23, 59, 36))
        birth = years_before(today, age) - timedelta(days=rng.randint(1, 364))
        area, native_place, _ = rng.choices(AREAS, cum_weights=_AREA_CUM)[0]
        id_number = self.id_number(area, birth, male)
        education = self.weighted(next(w for bound, w in EDUCATION_BY_AGE if age < bound))

        if probationary:
            joined_on = today - timedelta(days=rng.randint(15, 350))
            full_member_on = None
        else:
            join_age = min(int(rng.triangular(member_rules.MIN_JOIN_AGE, 36, 22)), age - 2)
            joined_on = birth + relativedelta(years=join_age) + timedelta(days=rng.randint(1, 300))
            # Full members were accepted at least a year (the probation) and a month ago.
            latest = today - relativedelta(years=1, months=1)
            if joined_on > latest:
                joined_on = latest - timedelta(days=rng.randint(0, 60))
            full_member_on = joined_on + relativedelta(years=1)

        if rank == HEAD:
            position, fee = head_title, HEAD_FEE
        elif rank == DEPUTY:
            position, fee = f"副{head_title}", DEPUTY_FEE
        else:
            position, low, high = next((title, low, high) for bound, title, low, high in STAFF_RANKS if age < bound)
            fee = (low, high)
        fee_base = Decimal(rng.randint(fee[0] * 100, fee[1] * 100)) / 100

        work_started_on = None
        if rng.random() < 0.8:
            start = date(birth.year + WORK_START_AGE[education], rng.randint(7, 8), rng.randint(1, 28))
            work_started_on = start if start <= today - timedelta(days=30) else None
        titles = TITLES.get(department, DEFAULT_TITLES)
        professional_title = ""
        if rng.random() < (0.6 if department in TITLES else 0.25):
            professional_title = titles[0] if age < 30 else (titles[1] if age < 42 else rng.choice(titles[1:]))

        # Drawn in this order (name, ethnicity, phone, 籍贯): the demo set depends on it.
        return {
            "name": self.name(male),
            "gender": Gender.MALE if male else Gender.FEMALE,
            "ethnicity": rng.choice(MINORITIES) if rng.random() < MINORITY_SHARE else ETHNICITIES[0],
            "birth_date": birth,
            "id_number": id_number,
            "education": education,
            "category": Category.PROBATIONARY if probationary else Category.FULL,
            "joined_on": joined_on,
            "full_member_on": full_member_on,
            "position": position,
            "phone": self.phone(),
            "fee_base": fee_base,
            "native_place": native_place if rng.random() < 0.7 else "",
            "work_started_on": work_started_on,
            "professional_title": professional_title,
        }
