"""Deployment checks of our own, shown by `dangjian check --deploy` beside Django's."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

W001 = Warning(
    "生产环境关闭了管理员两步验证（SECOND_FACTOR_FOR_ADMINS=0）：机关党委管理员和超级用户仅凭密码即可登录。",
    hint="除非另有等效的登录保护，请删除该环境变量或设为 1。",
    id="dangjian.W001",
)


@register(Tags.security, deploy=True)
def second_factor_for_admins(app_configs, **kwargs):
    return [W001] if not settings.SECOND_FACTOR_FOR_ADMINS else []
