// tf-apirep-health-check-defaults: terraform-provider-aws's record of what ECS returns for
// the container definitions
//   [{cpu: 512, environment: [], healthCheck: {command: [CMD-SHELL, "curl -f ... || exit 1"]},
//     image: nginx, memory: 2048, name: nginx, startTimeout: 10, logConfiguration: {awslogs ...}}]
// and this definition renders those, except: the main container is `app`, `environment: []`
// is not sent (hako never sends an empty list) and `essential: true` is (hako always sends
// it; ECS fills it in anyway). The fragment has no family: the file is named after its
// container. The test wraps the recorded containers in a task definition.
// Not in the sample: the scheduler's service keys, served as a synthetic service.
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
    cpu: 512,
    health_check: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'] },
    image_tag: 'nginx',
    memory: 2048,
    start_timeout: 10,
    log_configuration: {
      log_driver: 'awslogs',
      options: { 'awslogs-group': 'foo-bar-e196c99', 'awslogs-region': 'region-1', 'awslogs-stream-prefix': 'nginx' },
    },
  },
}
