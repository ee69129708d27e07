from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("党员之声", "voice:proposals", "megaphone", Capability.VIEW, "voice:", order=470)
