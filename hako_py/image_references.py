"""Docker's image reference grammar: what a container runtime can pull.

ECS registers any image string of up to 255 characters (API ContainerDefinition.image), and
only a task's start fails on one the runtime cannot parse (``CannotPullContainerError:
invalid reference format``), minutes into a deploy. So definitions, ``--tag`` and the tags
scripts produce are checked here against the grammar of distribution/reference, the parser
Docker and containerd use (https://github.com/distribution/reference, ``reference.go``'s
grammar and ``regexp.go`` at v0.5.0, ``normalize.go`` for where the domain ends)::

    reference        := name [ ":" tag ] [ "@" digest ]
    name             := [domain '/'] remote-name
    domain           := host [':' port-number]
    host             := domain-name | IPv4address | \\[ IPv6address \\]
    domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    path-component   := alpha-numeric [separator alpha-numeric]*
    remote-name      := path-component ['/' path-component]*
    alpha-numeric    := /[a-z0-9]+/
    separator        := /[_.]|__|[-]+/
    tag              := /[\\w][\\w.-]{0,127}/
    digest           := digest-algorithm ":" digest-hex
    digest-algorithm := /[A-Za-z][A-Za-z0-9]*/ joined by /[+.-_]/
    digest-hex       := /[0-9a-fA-F]{32,}/

and a name of at most 255 characters (``NameTotalLengthMax``). As in ``normalize.go``, the
first ``/``-separated part is the domain only when it holds a ``.`` or ``:`` or is
``localhost``; otherwise it is part of the (lower-case) repository path.
"""

from __future__ import annotations

import re

NAME_TOTAL_LENGTH_MAX = 255
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-+._][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")
TAG_RULE = "1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"


def tag_problem(tag: str) -> str | None:
    """Why *tag* is no Docker tag, or None."""
    if _TAG.match(tag):
        return None
    if not tag:
        return "the tag is empty"
    return f"tag {tag[:80]!r} is not a Docker image tag ({TAG_RULE})"


def reference_problem(reference: str) -> str | None:
    """Why *reference* (``name[:tag][@digest]``) is no Docker image reference, or None."""
    rest, at, digest = reference.partition("@")
    if at and not _DIGEST.match(digest):
        return f"digest {digest[:80]!r} is not ALGORITHM:HEX (at least 32 hexadecimal digits)"
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    name, tag = (rest[:colon], rest[colon + 1:]) if colon > slash else (rest, None)
    if tag is not None:
        if not tag:
            return (f"{reference!r} ends its name with ':' and no tag; write the tag after it, or leave out the "
                    "':' (which means latest)")
        problem = tag_problem(tag)
        if problem:
            return problem
    return name_problem(name)


def name_problem(name: str) -> str | None:
    """Why *name* (``[domain/]repository``, no tag) is no Docker image name, or None."""
    if not name:
        return "the image has no repository name"
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        return f"the image name is {len(name)} characters long; Docker takes at most {NAME_TOTAL_LENGTH_MAX}"
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        if not _DOMAIN.match(first):
            return f"registry {first!r} is not a host name or address with an optional :PORT"
        path = remainder
    else:
        path = name
    for component in path.split("/"):
        if not _PATH_COMPONENT.match(component):
            if _PATH_COMPONENT.match(component.lower()):
                return f"repository {path!r} must be lowercase"
            return (f"repository {path!r} is not a Docker repository name (lowercase letters and digits, "
                    "separated by '.', '_', '__' or dashes, in '/'-separated parts)")
    return None
