"""Core's navigation entries: the home page first, the administration pages last."""

from .roles import Capability
from .shell import nav_item

nav_item("首页", "core:home", "house", None, "core:home", order=0)
nav_item("账号与权限", "core:grants", "person-badge", Capability.MANAGE_GRANTS, "core:grant", order=900)
nav_item("审计日志", "core:audit", "journal-text", Capability.AUDIT, "core:audit", order=910)
nav_item("系统状态", "core:health", "heart-pulse", Capability.SYSTEM_HEALTH, "core:health", order=920)
