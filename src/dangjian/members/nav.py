from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("党员花名册", "members:list", "people", Capability.VIEW, "members:", order=200)
nav_item("党员统计", "members:stats", "bar-chart", Capability.VIEW, "members:stats", order=210)
