// awscli-describe-task-definition-hello-world: revision 8 of hello_world; its registration
// request was not published. Reconstructed from the response without what ECS fills in
// (docs/ecs-defaults.md §1: empty environment/mountPoints/portMappings/volumesFrom; §2: volumes [],
// placementConstraints []). `essential: true` is in both containers of the response and hako
// sends it anyway. Main container `app` (recorded as `wordpress`); `mysql` keeps its name.
// Not in the sample: the scheduler's service keys (see the sleep360 definitions).
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'EC2',
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: 'wordpress',
    cpu: 10,
    memory: 500,
    links: ['mysql'],
    port_mappings: [{ container_port: 80, host_port: 80 }],
    essential: true,
  },
  sidecars: {
    mysql: {
      image_tag: 'mysql',
      cpu: 10,
      memory: 500,
      env: { MYSQL_ROOT_PASSWORD: 'password' },
      essential: true,
    },
  },
}
