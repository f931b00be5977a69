"""The nginx configuration hako's ``nginx_front`` script renders, byte for byte.

hako renders it with ERB (``trim_mode: '-'``) from ``lib/hako/templates/nginx.conf.erb`` and
``nginx.location.conf.erb`` (eagletmt/hako v2.18.0, ``lib/hako/scripts/nginx_front.rb:100-172``).
The same bytes matter: a front image that ``diff``s or reloads on change, and hako-py's own
"is the object in S3 already this?" comparison, must see no change when a service moves from
hako to hako-py. So this module writes the lines those templates produce, in their order,
instead of a nicer layout; ``tests/test_nginx_front.py`` compares with hako's own output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# nginx.location.conf.erb:8-14, after the empty line 7 (every line of a location's body is
# indented by four spaces, nginx_front.rb:152-156, the empty line too)
_PROXY_LINES = (
    "proxy_set_header Host $host;",
    'proxy_set_header Connection ""; # for upstream keepalive',
    "proxy_http_version 1.1;         # for upstream keepalive",
    "proxy_connect_timeout 5s;",
    "proxy_send_timeout 20s;",
    "proxy_read_timeout 20s;",
)
DEFAULT_LOCATIONS: dict[str, dict[str, Any]] = {"/": {}}  # nginx_front.rb:60 (`locations ||= {'/' => {}}`)


def ruby_text(value: Any) -> str:
    """What ERB's ``<%= value %>`` writes for a JSON value (Ruby's ``to_s``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def flattened(values: Any) -> Iterator[Any]:
    """``Array#flatten`` (nginx_front.rb:165-170): nested lists of addresses are allowed."""
    for value in values:
        if isinstance(value, list):
            yield from flattened(value)
        else:
            yield value


def _location(path: str, location: Mapping[str, Any], upstream: str) -> list[str]:
    body: list[str] = []
    allow = location.get("allow_only_from")
    if allow is not None:  # nginx.location.conf.erb:1-6 (an empty list still denies all)
        body += [f"allow {ruby_text(address)};" for address in flattened(allow)]
        body.append("deny all;")
    body += ["", f"proxy_pass http://{upstream};", *_PROXY_LINES]
    # the location template's output, each line indented, then the newline after
    # `<%= render_location %>` (nginx.conf.erb:10): one empty line before the closing brace
    return [f"  location {path} {{", *(f"    {line}" for line in body), "", "  }"]


def render_nginx_conf(options: Mapping[str, Any], *, backend_host: str) -> str:
    """nginx.conf for nginx_front's *options* (``backend_port``, ``locations``,
    ``client_max_body_size``); *backend_host* is ``backend`` (the link's alias) or, under
    awsvpc where containers share localhost, ``localhost`` (nginx_front.rb:49)."""
    upstream = f"{backend_host}:{ruby_text(options['backend_port'])}"  # nginx_front.rb:116-118
    lines = ["server {", "  listen 80;", ""]
    if options.get("client_max_body_size") is not None:  # nginx.conf.erb:4-6
        lines.append(f"  client_max_body_size {ruby_text(options['client_max_body_size'])};")
    lines.append("")
    locations = options.get("locations")
    if locations is None:  # Ruby's `||=`: an empty mapping stays (a server without locations)
        locations = DEFAULT_LOCATIONS
    for path, location in locations.items():  # Hash order: Jsonnet's sorted keys, YAML's document order
        lines += _location(str(path), location or {}, upstream)
    lines.append("}")
    return "\n".join(lines) + "\n"
