"""民主评议党员: a rating and votes per invitee; 优秀 over a third warned, 不合格 noticed and listed."""

import pytest
from django.urls import reverse

from dangjian.meetings import parts
from dangjian.meetings.choices import Rating
from dangjian.meetings.models import AppraisalRating
from dangjian.members.tests.factories import MemberFactory

from .parts_world import held_meeting

pytestmark = pytest.mark.django_db


def row(member, rating="", e=0, q=0, b=0, u=0):
    pk = member.pk
    return {
        f"rating_{pk}": rating,
        f"votes_excellent_{pk}": e,
        f"votes_qualified_{pk}": q,
        f"votes_basic_{pk}": b,
        f"votes_unqualified_{pk}": u,
    }


@pytest.mark.parametrize(
    "excellent,rated,over", [(0, 0, False), (1, 3, False), (2, 3, True), (2, 6, False), (3, 6, True), (1, 2, True)]
)
def test_excellent_limit(excellent, rated, over):
    assert parts.excellent_over_limit(excellent, rated) is over


def test_ratings_saved_with_a_warning_and_the_unqualified_notice(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    client = client_for(world.secretary_a)
    url = reverse("meetings:appraisal", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "王小明" in page and "张宏伟" in page
    data = row(world.member_a, Rating.EXCELLENT, e=2) | row(world.member_a2, Rating.UNQUALIFIED, u=2)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert parts.WARN_EXCELLENT.format(n=1, total=2) in text  # 1 of 2 is more than a third: warned, not refused
    assert parts.NOTICE_UNQUALIFIED in text
    ratings = {r.member_id: r for r in AppraisalRating.objects.unrestricted().filter(meeting=meeting)}
    assert ratings[world.member_a.pk].rating == Rating.EXCELLENT
    assert ratings[world.member_a2.pk].votes_unqualified == 2
    # The detail sections list the 不合格 member with the notice.
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="unqualified"' in page and "评为不合格：张宏伟" in page
    # Clearing a row removes the rating.
    client.post(url, row(world.member_a, Rating.QUALIFIED, q=2) | row(world.member_a2))
    assert list(AppraisalRating.objects.unrestricted().values_list("member_id", "rating")) == [
        (world.member_a.pk, Rating.QUALIFIED)
    ]


def test_votes_are_bounded_and_need_a_rating(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    client = client_for(world.secretary_a)
    url = reverse("meetings:appraisal", args=[meeting.pk])
    response = client.post(url, row(world.member_a, Rating.QUALIFIED, q=3) | row(world.member_a2))  # 2 invitees
    assert response.status_code == 400
    assert "不能大于 2" in response.content.decode()
    response = client.post(url, row(world.member_a, Rating.QUALIFIED, q=-1) | row(world.member_a2))
    assert response.status_code == 400
    response = client.post(url, row(world.member_a, "", q=1) | row(world.member_a2))
    assert response.status_code == 400
    assert "填写了票数，请选择评议等次" in response.content.decode()
    response = client.post(url, row(world.member_a, Rating.QUALIFIED, q=2, b=1) | row(world.member_a2))
    assert response.status_code == 400
    assert parts.ERR_VOTES_OVER.format(total=3, limit=2) in response.content.decode()
    assert not AppraisalRating.objects.unrestricted().exists()


def test_a_non_invitee_is_refused(world):
    meeting = held_meeting(world, world.branch_a)
    stranger = MemberFactory(name="钱七", org=world.branch_a)  # joined after the meeting's invitations
    with pytest.raises(Exception) as error:
        parts.ratings_save(by=world.admin, meeting=meeting, rows=[parts.RatingRow(stranger, Rating.QUALIFIED)])
    assert parts.ERR_NOT_INVITEE.format(name="钱七") in str(error.value)
    assert not AppraisalRating.objects.unrestricted().exists()


def test_a_member_does_not_see_the_ratings(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    parts.ratings_save(
        by=world.admin,
        meeting=meeting,
        rows=[parts.RatingRow(world.member_a2, Rating.UNQUALIFIED, votes_unqualified=1)],
    )
    page = client_for(world.member_user_a).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "录入评议结果" not in page and "评为不合格" not in page and "不合格票" not in page
