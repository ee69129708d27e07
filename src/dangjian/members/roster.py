"""The roster (花名册) columns: one definition for the import template, the importer's header mapping and the
export, in DOMAIN.md §2 order. An exported file re-imports as is.

An import requires only the columns that identify and place a member (姓名, 公民身份号码, 人员类别, 入党日期, and
所在党支部 unless the upload form names the branch; 转正日期 is required row by row, for 正式党员). DOMAIN.md §2 lists
the other 花名册 fields too, but organs' own rosters often lack some (no 党费基数 kept by the 组织 office, no
工作岗位/职务): such a file imports, the columns it lacks are reported as 未提供, new members get the field's blank
value (性别 and 出生日期 come from the ID number) and an update leaves them as they are."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RosterColumn:
    field: str  # Member field (org/group: resolved by name or code)
    header: str  # the template's header
    synonyms: tuple[str, ...] = ()  # other headers seen in organs' own rosters
    required: bool = False  # the file must have the column, and each row a value in it
    note: str = ""  # shown in the template's instructions sheet and as the header's comment


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("name", "姓名", ("党员姓名",), required=True),
    RosterColumn("gender", "性别", note="男 或 女，须与公民身份号码一致；不填时按公民身份号码"),
    RosterColumn("ethnicity", "民族", note="如 汉族、回族"),
    RosterColumn(
        "birth_date", "出生日期", ("出生年月", "出生年月日"), note="须与公民身份号码一致；不填时按公民身份号码"
    ),
    RosterColumn(
        "id_number",
        "公民身份号码",
        ("身份证号", "身份证号码", "身份证", "证件号码"),
        required=True,
        note="18位，末位可为X",
    ),
    RosterColumn("education", "学历", ("文化程度", "最高学历")),
    RosterColumn("category", "人员类别", ("党员类别", "类别", "党员类型"), required=True, note="正式党员 或 预备党员"),
    RosterColumn("joined_on", "入党日期", ("入党时间", "加入党组织日期"), required=True),
    RosterColumn("full_member_on", "转正日期", ("转正时间",), note="正式党员必填，预备党员不填"),
    RosterColumn(
        "org",
        "所在党支部",
        ("所在支部", "党支部", "支部", "所在党组织"),
        required=True,
        note="党支部名称或组织编码；导入页面选定党支部时可不填",
    ),
    RosterColumn("group", "所在党小组", ("党小组",)),
    RosterColumn("position", "工作岗位/职务", ("工作岗位", "职务", "岗位", "现任职务")),
    RosterColumn("phone", "联系电话", ("手机", "手机号", "手机号码", "电话", "联系方式")),
    RosterColumn("fee_base", "党费基数(月)", ("党费基数", "党费基数（月）", "月党费基数"), note="元，税后月收入"),
    RosterColumn("native_place", "籍贯"),
    RosterColumn("work_started_on", "参加工作日期", ("参加工作时间",)),
    RosterColumn("professional_title", "职称"),
    RosterColumn("remark", "备注"),
)

DATE_FIELDS = frozenset({"birth_date", "joined_on", "full_member_on", "work_started_on"})

#: Columns the file need not have when the upload form names the branch.
BRANCH_FIELD = "org"
#: Optional columns filled from the ID number when absent or empty (DOMAIN.md §2: they must agree with it anyway).
FROM_ID_NUMBER = frozenset({"gender", "birth_date"})
