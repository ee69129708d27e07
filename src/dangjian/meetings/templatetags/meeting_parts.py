"""{% meeting_parts meeting as parts %}: the sections of the parts lane on the meeting's detail page, read through the
one selector (parts.meeting_parts) with the page's user, so the detail view needs nothing beyond `meeting`."""

from django import template

from ..parts import meeting_parts as read_parts

register = template.Library()


@register.simple_tag(takes_context=True)
def meeting_parts(context, meeting):
    user = context.get("user") or context["request"].user
    return read_parts(fetched_by=user, meeting=meeting)
