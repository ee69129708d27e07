"""The storage of uploaded rosters and generated exports: private to the server's own user.

Django's FileSystemStorage already applies FILE_UPLOAD_PERMISSIONS (0600) to every file it saves and
FILE_UPLOAD_DIRECTORY_PERMISSIONS (0700) to every directory it creates; what it leaves alone is MEDIA_ROOT itself,
which may exist from before (made by hand or by an older release with the umask's 0755). This one makes it 0700
before each save.
"""

import os

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404

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


def private_download(file, name: str, content_type: str) -> FileResponse:
    """A stored upload given back as an attachment under the name it was uploaded with (a meeting's or a record's
    material): the caller has checked the user may see it. 404 when the file is gone from the disk; never sniffed
    into another type by the browser."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
