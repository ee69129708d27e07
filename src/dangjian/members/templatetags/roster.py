"""What a roster row shows of a member's personal data, for the user looking (selectors decide)."""

from django import template

from dangjian.members import selectors

register = template.Library()


@register.filter
def id_number_for(member, user) -> str:
    return selectors.id_number_for(user, member)


@register.filter
def phone_for(member, user) -> str:
    return selectors.phone_for(user, member)


@register.filter
def age_for(member, user) -> str:
    return selectors.age_for(user, member)
