// awscli-update-service-new-task-definition-fargate: the state after
//   aws ecs update-service --cluster test --service my-http-service --task-definition amazon-ecs-sample
// (a rollout in progress). The CreateService request was not published. Reconstructed from
// the state without what ECS fills in (docs/ecs-defaults.md §3: maximumPercent 200 /
// minimumHealthyPercent 100, healthCheckGracePeriodSeconds 0, enableExecuteCommand false,
// deploymentController ECS, schedulingStrategy REPLICA, availabilityZoneRebalancing, the
// alarms block the console sends). Kept because they are not defaults: platformVersion 1.4.0
// (not LATEST), the circuit breaker on, enableECSManagedTags true. propagateTags 'NONE': hako
// always sends one. The task part is lib/sample-fargate.libsonnet.
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'test',
    desired_count: 2,
    launch_type: 'FARGATE',
    platform_version: '1.4.0',
    network_configuration: {
      awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'], assign_public_ip: 'ENABLED' },
    },
    deployment_configuration: { deployment_circuit_breaker: { enable: true, rollback: true } },
    enable_ecs_managed_tags: true,
    propagate_tags: 'NONE',
  },
}
