"""Which branch (所在党支部) and party group (所在党小组) a row goes to, within what the importing user may change.

Only the orgs the user may change are loaded (changeable_by): a branch outside them is "not found", with the same
message as a branch that does not exist, so the messages do not tell which out-of-scope branches there are.
The org tree is loaded once (an organ work committee has thousands of orgs, not millions) and every distinct cell
text is resolved once, so a 100,000-row file costs two queries here, not one per row.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from ..models import ERR_GROUP_NOT_IN_BRANCH, ERR_ORG_KIND
from ..services import ERR_ORG_DISSOLVED

ERR_BRANCH_UNKNOWN = "在您可导入的组织中没有名称或组织编码为“{value}”的党支部"
ERR_BRANCH_AMBIGUOUS = "有{count}个党支部名为“{value}”，请改填组织编码：{codes}"
ERR_BRANCH_FORBIDDEN = "您无权向该组织导入党员"
ERR_BRANCH_OUTSIDE = "该党支部不在本次导入的组织“{org}”之下"
ERR_TARGET_KIND = "请选择党支部或其上级组织作为导入范围"


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    code: str
    path: str
    kind: str
    dissolved: bool


class Targets:
    """Resolves 所在党支部 and 所在党小组 cells; results are (org, error message)."""

    def __init__(self, *, acting_user, org: Organization | None) -> None:
        if org is not None:
            if org.is_group:
                raise ValidationError(ERR_TARGET_KIND)
            if org.is_dissolved:
                raise ValidationError(ERR_ORG_DISSOLVED)
            if acting_user is not None and not Organization.objects.changeable_by(acting_user).filter(pk=org.pk):
                raise PermissionDenied(ERR_BRANCH_FORBIDDEN)
        self.org = org
        if acting_user is None:
            orgs = Organization.objects.unrestricted()  # the command line imports with the whole tree open
        else:
            orgs = Organization.objects.changeable_by(acting_user)
        orgs = orgs.values_list("id", "name", "code", "path", "kind", "dissolved_on")
        self.all = [Target(i, n, c, p, k, d is not None) for i, n, c, p, k, d in orgs]
        self.by_id = {t.id: t for t in self.all}
        self.groups_under: dict[str, list[Target]] = {}  # every party group, under each of its ancestors' paths
        for target in self.all:
            if target.kind == OrgKind.GROUP:
                for end in range(Organization.steplen, len(target.path), Organization.steplen):
                    self.groups_under.setdefault(target.path[:end], []).append(target)
        self.by_code = {t.code.upper(): t for t in self.all}
        self.by_name: dict[str, list[Target]] = {}
        for target in self.all:
            if target.kind != OrgKind.GROUP:
                self.by_name.setdefault(target.name, []).append(target)
        self.default = self.by_id[org.pk] if org is not None and org.kind == OrgKind.BRANCH else None
        self._branches: dict[str, tuple[Target | None, str]] = {}
        self._groups: dict[tuple[int, str], tuple[Target | None, str]] = {}

    def get(self, org_id: int) -> Target:
        """Any org by id (one outside the user's scope, or added since the import started: loaded then)."""
        found = self.by_id.get(org_id)
        if found is None:
            # The org of a member already on the roster, whose row the caller refuses when it is out of scope.
            org = Organization.objects.unrestricted().get(pk=org_id)
            found = self.by_id[org_id] = Target(org.pk, org.name, org.code, org.path, org.kind, org.is_dissolved)
        return found

    def _open_to(self, target: Target) -> str:
        """'' when rows may go to this branch, else why not."""
        if target.kind != OrgKind.BRANCH:
            return ERR_ORG_KIND
        if self.org is not None and not target.path.startswith(self.org.path):
            return ERR_BRANCH_OUTSIDE.format(org=self.org.name)
        if target.dissolved:
            return ERR_ORG_DISSOLVED
        return ""

    def branch(self, text: str) -> tuple[Target | None, str]:
        """The branch a cell names by code or by name (a name must be unambiguous among the open branches)."""
        if text not in self._branches:
            self._branches[text] = self._resolve_branch(text)
        return self._branches[text]

    def _resolve_branch(self, text: str) -> tuple[Target | None, str]:
        by_code = self.by_code.get(text.upper())
        if by_code is not None and by_code.kind != OrgKind.GROUP:
            error = self._open_to(by_code)
            return (None, error) if error else (by_code, "")
        named = self.by_name.get(text, [])
        if not named:
            return None, ERR_BRANCH_UNKNOWN.format(value=text)
        reasons = [(target, self._open_to(target)) for target in named]
        open_ = [target for target, reason in reasons if not reason]
        if len(open_) == 1:
            return open_[0], ""
        if len(open_) > 1:
            codes = "、".join(f"{t.code}" for t in open_)
            return None, ERR_BRANCH_AMBIGUOUS.format(count=len(open_), value=text, codes=codes)
        # Nothing open under that name: say why for the first branch that has it (a branch before a 党总支).
        reasons.sort(key=lambda pair: pair[0].kind != OrgKind.BRANCH)
        return None, reasons[0][1]

    def group(self, branch: Target, text: str) -> tuple[Target | None, str]:
        """A party group of the branch, by name or code; dissolved groups take no new members."""
        key = (branch.id, text)
        if key not in self._groups:
            code = text.upper()
            found = [t for t in self.groups_under.get(branch.path, ()) if t.name == text or t.code.upper() == code]
            live = [t for t in found if not t.dissolved]
            if live:
                self._groups[key] = (live[0], "")
            else:
                self._groups[key] = (None, ERR_ORG_DISSOLVED if found else ERR_GROUP_NOT_IN_BRANCH)
        return self._groups[key]

    def common_path(self, ids: set[int]) -> str:
        """The deepest org path above all the given orgs (where the import is filed in the audit log)."""
        paths = [self.by_id[i].path for i in ids]
        if not paths:
            return ""
        prefix = paths[0]
        for path in paths[1:]:
            while not path.startswith(prefix):
                prefix = prefix[: len(prefix) - Organization.steplen]
        return prefix
