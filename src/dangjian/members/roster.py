"""The roster (花名册) columns: one definition for the import template, the importer's header mapping and the
export, in DOMAIN.md §2 order. An exported file re-imports as is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RosterColumn:
    field: str  # Member field (org/group: resolved by name or code)
    header: str  # the template's header
    synonyms: tuple[str, ...] = ()  # other headers seen in organs' own rosters
    required: bool = True
    note: str = ""  # shown in the template's instructions sheet


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("name", "姓名", ("党员姓名",)),
    RosterColumn("gender", "性别", note="男 或 女，须与公民身份号码一致"),
    RosterColumn("ethnicity", "民族", note="如 汉族、回族"),
    RosterColumn("birth_date", "出生日期", ("出生年月", "出生年月日"), note="须与公民身份号码一致"),
    RosterColumn("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码"), note="18位，末位可为X"),
    RosterColumn("education", "学历", ("文化程度", "最高学历")),
    RosterColumn("category", "人员类别", ("党员类别", "类别", "党员类型"), note="正式党员 或 预备党员"),
    RosterColumn("joined_on", "入党日期", ("入党时间", "加入党组织日期")),
    RosterColumn("full_member_on", "转正日期", ("转正时间",), required=False, note="正式党员必填，预备党员不填"),
    RosterColumn("org", "所在党支部", ("所在支部", "党支部", "支部", "所在党组织"), note="党支部名称或组织编码"),
    RosterColumn("group", "所在党小组", ("党小组",), required=False),
    RosterColumn("position", "工作岗位/职务", ("工作岗位", "职务", "岗位", "现任职务")),
    RosterColumn("phone", "联系电话", ("手机", "手机号", "手机号码", "电话", "联系方式")),
    RosterColumn("fee_base", "党费基数(月)", ("党费基数", "党费基数（月）", "月党费基数"), note="元，税后月收入"),
    RosterColumn("native_place", "籍贯", required=False),
    RosterColumn("work_started_on", "参加工作日期", ("参加工作时间",), required=False),
    RosterColumn("professional_title", "职称", required=False),
    RosterColumn("remark", "备注", required=False),
)

DATE_FIELDS = frozenset({"birth_date", "joined_on", "full_member_on", "work_started_on"})
