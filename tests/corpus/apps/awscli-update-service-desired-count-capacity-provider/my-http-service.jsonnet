// awscli-update-service-desired-count-capacity-provider: the state after
//   aws ecs update-service --cluster MyCluster --service my-http-service --desired-count 2
// The CreateService request was not published. Reconstructed from the state without what ECS
// fills in (docs/ecs-defaults.md §3: capacity provider base 0, platformVersion LATEST for a FARGATE
// capacity provider, maximumPercent/minimumHealthyPercent, healthCheckGracePeriodSeconds 0,
// the console's alarms block, ...). Kept: the FARGATE capacity provider strategy (whether it
// came from a cluster default is not shown), the circuit breaker on, enableECSManagedTags
// true. propagateTags 'NONE': hako always sends one. The task part is
// lib/sample-fargate.libsonnet. The recorded service names its task definition without a
// revision (a typo in the published example); the test serves it under that name.
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'MyCluster',
    desired_count: 2,
    capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1 }],
    network_configuration: {
      awsvpc_configuration: {
        subnets: ['subnet-0d0eab1bb38d5ca64', 'subnet-0db5010045995c2d5'],
        security_groups: ['sg-02556bf85a191f59a'],
        assign_public_ip: 'ENABLED',
      },
    },
    deployment_configuration: { deployment_circuit_breaker: { enable: true, rollback: true } },
    enable_ecs_managed_tags: true,
    propagate_tags: 'NONE',
  },
}
