from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("发展党员", "development:list", "person-plus", Capability.VIEW, "development:", order=450)
