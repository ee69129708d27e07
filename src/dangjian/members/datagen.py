"""The members' part of the generated people (demo set in members/demo.py, scale set in members/scale.py): a
Member's field values on top of core.datagen's names, ID numbers and phones."""

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from dangjian.core.datagen import DEPUTY, HEAD, PeopleGenerator
from dangjian.core.lib.dates import years_before

from . import rules as member_rules
from .choices import ETHNICITIES, Category, Education, Gender

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


class MemberGenerator(PeopleGenerator):
    """Draws members: PeopleGenerator's people with their party record, education, position and pay."""

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
        area, native_place, _ = self.area()
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
