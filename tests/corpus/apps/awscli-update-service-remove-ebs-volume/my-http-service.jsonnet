// awscli-update-service-remove-ebs-volume: the state after
//   aws ecs update-service --cluster mycluster --task-definition mytaskdef
//     --service my-http-service --desired-count 2 --volume-configurations "[]"
// (a rollout in progress; the new deployment has no volume configuration, which is what a
// definition without one asks for). The CreateService request was not published.
// Reconstructed from the state without what ECS fills in (docs/ecs-defaults.md §3:
// platformVersion LATEST, maximumPercent/minimumHealthyPercent, healthCheckGracePeriodSeconds
// 0, the console's alarms block, availabilityZoneRebalancing, ...). Kept: the circuit breaker
// on, enableECSManagedTags true. propagateTags 'NONE': hako always sends one. The task part is
// lib/sample-fargate.libsonnet.
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'mycluster',
    desired_count: 2,
    launch_type: 'FARGATE',
    network_configuration: {
      awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'], assign_public_ip: 'ENABLED' },
    },
    deployment_configuration: { deployment_circuit_breaker: { enable: true, rollback: true } },
    enable_ecs_managed_tags: true,
    propagate_tags: 'NONE',
  },
}
