"""The one table from a plan's :class:`Operation` to the facade method that sends it.

Each entry is typed against the facade (whose methods are typed by the types-boto3 stubs),
so an operation whose method is renamed or removed fails ``make typecheck`` here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

from hako_py.plan.instructions import Operation

if TYPE_CHECKING:
    from hako_py.aws.cloudmap import CloudMapApi
    from hako_py.aws.ecs import EcsApi
    from hako_py.aws.elb import ClassicElbApi
    from hako_py.aws.elbv2 import ElbApi
    from hako_py.aws.events import EventsApi
    from hako_py.aws.s3 import S3Api
    from hako_py.aws.scaling import ScalingApi
    from hako_py.aws.scheduler import SchedulerApi


class Facade(Protocol):
    """What the executor needs of :class:`hako_py.aws.AwsClients`."""

    def ecs(self) -> EcsApi: ...

    def elbv2(self) -> ElbApi: ...

    def elb(self) -> ClassicElbApi: ...

    def cloudmap(self) -> CloudMapApi: ...

    def scaling(self) -> ScalingApi: ...

    def scheduler(self) -> SchedulerApi: ...

    def events(self) -> EventsApi: ...

    def s3(self, region: str | None = None) -> S3Api: ...

    def for_region(self, region: str | None) -> Facade:
        """The same clients (endpoint, credentials) in *region*: a :class:`Call` with a region."""
        ...


Send = Callable[[Facade, dict[str, Any]], object]

OPERATIONS: Final[Mapping[Operation, Send]] = {
    Operation.CREATE_SERVICE: lambda aws, p: aws.ecs().create_service(**p),
    Operation.UPDATE_SERVICE: lambda aws, p: aws.ecs().update_service(**p),
    Operation.DELETE_SERVICE: lambda aws, p: aws.ecs().delete_service(**p),
    Operation.TAG_RESOURCE: lambda aws, p: aws.ecs().tag_resource(**p),
    Operation.UNTAG_RESOURCE: lambda aws, p: aws.ecs().untag_resource(**p),
    Operation.DEREGISTER_TASK_DEFINITION: lambda aws, p: aws.ecs().deregister_task_definition(**p),
    Operation.CREATE_LOAD_BALANCER: lambda aws, p: aws.elbv2().create_load_balancer(**p),
    Operation.SET_SUBNETS: lambda aws, p: aws.elbv2().set_subnets(**p),
    Operation.SET_SECURITY_GROUPS: lambda aws, p: aws.elbv2().set_security_groups(**p),
    Operation.MODIFY_LOAD_BALANCER_ATTRIBUTES: lambda aws, p: aws.elbv2().modify_load_balancer_attributes(**p),
    Operation.DELETE_LOAD_BALANCER: lambda aws, p: aws.elbv2().delete_load_balancer(**p),
    Operation.CREATE_TARGET_GROUP: lambda aws, p: aws.elbv2().create_target_group(**p),
    Operation.MODIFY_TARGET_GROUP: lambda aws, p: aws.elbv2().modify_target_group(**p),
    Operation.MODIFY_TARGET_GROUP_ATTRIBUTES: lambda aws, p: aws.elbv2().modify_target_group_attributes(**p),
    Operation.DELETE_TARGET_GROUP: lambda aws, p: aws.elbv2().delete_target_group(**p),
    Operation.CREATE_LISTENER: lambda aws, p: aws.elbv2().create_listener(**p),
    Operation.MODIFY_LISTENER: lambda aws, p: aws.elbv2().modify_listener(**p),
    Operation.DELETE_LISTENER: lambda aws, p: aws.elbv2().delete_listener(**p),
    Operation.CREATE_RULE: lambda aws, p: aws.elbv2().create_rule(**p),
    Operation.MODIFY_RULE: lambda aws, p: aws.elbv2().modify_rule(**p),
    Operation.SET_RULE_PRIORITIES: lambda aws, p: aws.elbv2().set_rule_priorities(**p),
    Operation.DELETE_RULE: lambda aws, p: aws.elbv2().delete_rule(**p),
    Operation.CLASSIC_CREATE_LOAD_BALANCER: lambda aws, p: aws.elb().create_load_balancer(**p),
    Operation.CLASSIC_MODIFY_LOAD_BALANCER_ATTRIBUTES: lambda aws, p: aws.elb().modify_load_balancer_attributes(**p),
    Operation.CLASSIC_DELETE_LOAD_BALANCER: lambda aws, p: aws.elb().delete_load_balancer(**p),
    Operation.CLOUD_MAP_CREATE_SERVICE: lambda aws, p: aws.cloudmap().create_service(**p),
    Operation.CLOUD_MAP_UPDATE_SERVICE: lambda aws, p: aws.cloudmap().update_service(**p),
    Operation.CLOUD_MAP_DELETE_SERVICE: lambda aws, p: aws.cloudmap().delete_service(**p),
    Operation.REGISTER_SCALABLE_TARGET: lambda aws, p: aws.scaling().register_scalable_target(**p),
    Operation.DEREGISTER_SCALABLE_TARGET: lambda aws, p: aws.scaling().deregister_scalable_target(**p),
    Operation.PUT_SCALING_POLICY: lambda aws, p: aws.scaling().put_scaling_policy(**p),
    Operation.DELETE_SCALING_POLICY: lambda aws, p: aws.scaling().delete_scaling_policy(**p),
    Operation.CREATE_SCHEDULE_GROUP: lambda aws, p: aws.scheduler().create_schedule_group(**p),
    Operation.CREATE_SCHEDULE: lambda aws, p: aws.scheduler().create_schedule(**p),
    Operation.UPDATE_SCHEDULE: lambda aws, p: aws.scheduler().update_schedule(**p),
    Operation.DELETE_SCHEDULE: lambda aws, p: aws.scheduler().delete_schedule(**p),
    Operation.PUT_EVENT_RULE: lambda aws, p: aws.events().put_rule(**p),
    Operation.PUT_EVENT_TARGETS: lambda aws, p: aws.events().put_targets(**p),
    Operation.REMOVE_EVENT_TARGETS: lambda aws, p: aws.events().remove_targets(**p),
    Operation.DELETE_EVENT_RULE: lambda aws, p: aws.events().delete_rule(**p),
    Operation.CREATE_CONNECTION: lambda aws, p: aws.events().create_connection(**p),
    Operation.UPDATE_CONNECTION: lambda aws, p: aws.events().update_connection(**p),
    Operation.DELETE_CONNECTION: lambda aws, p: aws.events().delete_connection(**p),
    Operation.CREATE_API_DESTINATION: lambda aws, p: aws.events().create_api_destination(**p),
    Operation.UPDATE_API_DESTINATION: lambda aws, p: aws.events().update_api_destination(**p),
    Operation.DELETE_API_DESTINATION: lambda aws, p: aws.events().delete_api_destination(**p),
    Operation.PUT_OBJECT: lambda aws, p: aws.s3().put_object(**p),
}
