// awscli-deregister-task-definition-curler-inactive: an INACTIVE revision; its registration
// request was not published. Reconstructed from the response without what ECS fills in
// (docs/ecs-defaults.md §1: essential true, empty environment/mountPoints/portMappings/volumesFrom;
// §2: volumes []) and without `entryPoint: []` (sent or filled: the sample cannot tell; an
// empty list means "not set" either way). Main container `app` (recorded as `curler`).
// Not in the sample: the scheduler's service keys. The test serves a synthetic service that
// still runs this revision, as services may after a deregistration (docs/ecs-defaults.md §3b).
{
  scheduler: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'EC2',
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: 'curl:latest',
    cpu: 100,
    memory: 256,
    command: ['curl -v http://example.com/'],
  },
}
