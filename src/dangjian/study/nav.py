from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("学习培训", "study:progress", "book", Capability.VIEW, "study:", order=460)
