from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("组织机构", "orgs:tree", "diagram-3", Capability.VIEW, "orgs:", order=100)
