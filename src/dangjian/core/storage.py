"""The storage of uploaded rosters and generated exports: private to the server's own user.

Django's FileSystemStorage already applies FILE_UPLOAD_PERMISSIONS (0600) to every file it saves and
FILE_UPLOAD_DIRECTORY_PERMISSIONS (0700) to every directory it creates; what it leaves alone is MEDIA_ROOT itself,
which may exist from before (made by hand or by an older release with the umask's 0755). This one makes it 0700
before each save.
"""

import os

from django.core.files.storage import FileSystemStorage

PRIVATE_DIR_MODE = 0o700


def make_private_dir(path) -> None:
    """Create the directory (and its parents) if missing, and make it 0700 whatever the umask or its old mode."""
    os.makedirs(path, mode=PRIVATE_DIR_MODE, exist_ok=True)
    if os.stat(path).st_mode & 0o777 != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)


class PrivateFileStorage(FileSystemStorage):
    """FileSystemStorage whose root directory is kept 0700."""

    def _save(self, name, content):
        make_private_dir(self.location)
        return super()._save(name, content)
