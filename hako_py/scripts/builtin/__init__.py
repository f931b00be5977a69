"""Script types shipped with hako-py."""

from hako_py.scripts.base import Script
from hako_py.scripts.builtin.ecr_tag import EcrTag
from hako_py.scripts.builtin.jenkins_tag import JenkinsTag
from hako_py.scripts.builtin.log_group import CreateLogGroup
from hako_py.scripts.builtin.nginx_front import NginxFront
from hako_py.scripts.builtin.notify_webhook import NotifyWebhook

BUILTIN: dict[str, type[Script]] = {
    cls.type_name: cls for cls in (CreateLogGroup, JenkinsTag, EcrTag, NotifyWebhook, NginxFront)
}
