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
    from hako_py.aws.elbv2 import ElbApi
    from hako_py.aws.scaling import ScalingApi


class Facade(Protocol):
    """What the executor needs of :class:`hako_py.aws.AwsClients`."""

    def ecs(self) -> EcsApi: ...

    def elbv2(self) -> ElbApi: ...

    def cloudmap(self) -> CloudMapApi: ...

    def scaling(self) -> ScalingApi: ...


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
    Operation.CLOUD_MAP_CREATE_SERVICE: lambda aws, p: aws.cloudmap().create_service(**p),
    Operation.CLOUD_MAP_UPDATE_SERVICE: lambda aws, p: aws.cloudmap().update_service(**p),
    Operation.CLOUD_MAP_DELETE_SERVICE: lambda aws, p: aws.cloudmap().delete_service(**p),
    Operation.REGISTER_SCALABLE_TARGET: lambda aws, p: aws.scaling().register_scalable_target(**p),
    Operation.DEREGISTER_SCALABLE_TARGET: lambda aws, p: aws.scaling().deregister_scalable_target(**p),
    Operation.PUT_SCALING_POLICY: lambda aws, p: aws.scaling().put_scaling_policy(**p),
    Operation.DELETE_SCALING_POLICY: lambda aws, p: aws.scaling().delete_scaling_policy(**p),
}
