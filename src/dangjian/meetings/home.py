"""The meetings module's panels of the home page (core.home): the branch's workbench."""

from . import compliance_home, workbench_home  # noqa: F401  (each registers its panels)
