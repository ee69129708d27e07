import factory

from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


class OrgFactory(factory.django.DjangoModelFactory):
    """Organization(parent=...) adds a child; without a parent, a root (treebeard needs add_root/add_child)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = OrgKind.BRANCH
    code = factory.Sequence(lambda n: f"T{n:04d}")
    department = factory.Sequence(lambda n: f"第{n}科室")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        org = model_class(**kwargs)
        if parent is None:
            return model_class.objects.add_root(instance=org)
        parent.refresh_from_db()  # treebeard needs the parent's current numchild
        return model_class.objects.add_child(parent, instance=org)
