"""{% signin_actions meeting %}: the meeting detail page's sign-in buttons, for those who run the sign-in."""

from django import template

from dangjian.meetings import signin

register = template.Library()


@register.inclusion_tag("meetings/signin/actions.html", takes_context=True)
def signin_actions(context, meeting) -> dict:
    user = context["request"].user
    return {"meeting": meeting, "may_manage": signin.may_manage(user, meeting)}
