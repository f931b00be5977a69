"""The tiny test image `hako-test/busybox:1`, built from the host's static busybox binary.

Kept apart from conftest (which holds fixtures) so that bench/local_overhead.py can make the
same image without pytest: a machine with no registry access still gets a real image.
"""

from __future__ import annotations

import io
import shutil
import tarfile
from typing import Any

IMAGE = "hako-test/busybox:1"
BUSYBOX_APPLETS = ("sh", "echo", "cat", "sleep", "env", "true", "false", "ls", "wget", "httpd", "mkdir", "test",
                   "printf", "seq", "kill", "nc")


def ensure_busybox_image(client: Any) -> None:
    """Import IMAGE into the engine behind *client* (a docker SDK client) unless it is there."""
    try:
        client.images.get(IMAGE)
        return
    except Exception:  # docker.errors.ImageNotFound; imported lazily like the rest of docker
        pass
    busybox = shutil.which("busybox") or "/bin/busybox"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(busybox, arcname="bin/busybox")
        for applet in BUSYBOX_APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            archive.addfile(link)
    repository, tag = IMAGE.split(":")
    client.api.import_image_from_data(buffer.getvalue(), repository=repository, tag=tag)


SHELL_LESS_IMAGE = "hako-test/no-shell:1"


def ensure_shell_less_image(client: Any) -> str:
    """An image holding only /bin/busybox (no /bin/sh), imported unless it is there."""
    try:
        client.images.get(SHELL_LESS_IMAGE)
        return SHELL_LESS_IMAGE
    except Exception:  # docker.errors.ImageNotFound
        pass
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(shutil.which("busybox") or "/bin/busybox", arcname="bin/busybox")
    repository, tag = SHELL_LESS_IMAGE.split(":")
    client.api.import_image_from_data(buffer.getvalue(), repository=repository, tag=tag)
    return SHELL_LESS_IMAGE
