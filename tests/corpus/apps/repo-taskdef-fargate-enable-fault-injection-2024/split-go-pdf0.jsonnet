// repo-taskdef-fargate-enable-fault-injection-2024: a console export (Oct 2024); no request was
// published. This is the request a user would send for it: everything in the export except the
// fields docs/ecs-defaults.md lists as filled in (container cpu 0, empty lists, enableFaultInjection
// false) and the response-only fields. The ${...} placeholders are the author's edits, kept as text.
// The scheduler's service keys (desired_count, launch_type, network_configuration) are not part
// of the sample: they give `hako deploy` a service, which the test serves as a synthetic one.
{
  scheduler: {
    type: 'ecs',
    region: 'ap-northeast-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'FARGATE',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'] } },
    propagate_tags: 'NONE',
    task_role_arn: 'arn:aws:iam::${AWS_ACCOUNT_ID}:role/${customRole}',
    execution_role_arn: 'arn:aws:iam::${AWS_ACCOUNT_ID}:role/ecsTaskExecutionRole',
    network_mode: 'awsvpc',
    requires_compatibilities: ['FARGATE'],
    cpu: '2048',
    memory: '4096',
    runtime_platform: { cpu_architecture: 'X86_64', operating_system_family: 'LINUX' },
  },
  app: {
    image_tag: '${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/${IMAGE_NAME}:1730307307',
    essential: true,
    port_mappings: [{ name: 'app-80-tcp', container_port: 80, host_port: 80, protocol: 'tcp', app_protocol: 'http' }],
    env: {
      PROD: 'true',
      START_PAGE: '2',
      PDF_PATH: 'arn:aws:s3:::${BACKET_NAME}/${PDF_NAME}',
      END_PAGE: '9',
      BACKET_NAME: '${BACKET_NAME}',
      FILE_NAME: '${PDF_NAME}',
    },
  },
}
