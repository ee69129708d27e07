from django.db import models


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "机关党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


class CommitteeRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    CONFIDENTIALITY = "confidentiality", "保密委员"
    MEMBER = "member", "委员"


#: The order seats are listed in wherever they appear: the order of CommitteeRole above.
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(CommitteeRole.values)}


#: Which kinds may sit directly under which (None: a root).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH},
}
