from dangjian.core.roles import Capability
from dangjian.core.shell import nav_item

nav_item("党费", "fees:ledger", "cash-coin", Capability.VIEW, "fees:", order=400)
