"""What the org pages add to core's capabilities."""

from dangjian.core.roles import Role, register_capability

#: Create, edit, move and dissolve orgs, and keep their committees (换届, 委员): a secretary on their own branch.
MANAGE_ORGS = register_capability("manage_orgs", "维护组织机构", roles=[Role.COMMITTEE_ADMIN, Role.SECRETARY])
