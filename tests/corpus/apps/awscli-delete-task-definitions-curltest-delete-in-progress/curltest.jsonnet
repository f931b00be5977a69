// awscli-delete-task-definitions-curltest-delete-in-progress: a DELETE_IN_PROGRESS revision
// (with deregisteredAt); its registration request was not published. Reconstructed from the
// response without what ECS fills in (docs/ecs-defaults.md §1: container cpu 0, empty lists;
// §2: volumes []). Main container `app` (recorded as `ctest`).
// Not in the sample: the scheduler's service keys (desired_count, launch_type,
// network_configuration with made-up ids). The test serves a synthetic service that still
// runs this revision (docs/ecs-defaults.md §3b: services keep running it).
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'FARGATE',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'] } },
    propagate_tags: 'NONE',
    task_role_arn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    execution_role_arn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    network_mode: 'awsvpc',
    requires_compatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
  },
  app: {
    image_tag: 'mreferre/eksutils',
    entry_point: ['sh', '-c'],
    command: ['curl ${ECS_CONTAINER_METADATA_URI_V4}/task'],
    log_configuration: {
      log_driver: 'awslogs',
      options: {
        'awslogs-create-group': 'true',
        'awslogs-group': '/ecs/curltest',
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'ecs',
      },
    },
  },
}
