from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("组织生活", "meetings:list", "calendar-check", Capability.VIEW, "meetings:", order=300)
