// repo-taskdef-fargate-efs-console-export: a console export (June 2024, a CloudFormation-made
// family); no request was published. Reconstructed from the response without what ECS fills
// in (docs/ecs-defaults.md §1: container cpu 0, protocol tcp, hostPort = containerPort under awsvpc,
// empty volumesFrom/dockerLabels/systemControls; §2: efsVolumeConfiguration.rootDirectory "/").
// The environment is the sample's: 6 of 24 entries, two values <REDACTED> by the researcher.
// Main container `app` (recorded as `flowise-service`).
// Not in the sample: the scheduler's service keys (desired_count, launch_type,
// network_configuration with made-up ids), served as a synthetic service.
{
  scheduler: {
    type: 'ecs',
    region: 'eu-central-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'FARGATE',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'] } },
    propagate_tags: 'NONE',
    execution_role_arn: 'arn:aws:iam::941128203839:role/flowise-ld-ECSTaskExecutionRole-kEG925gRGR2S',
    network_mode: 'awsvpc',
    requires_compatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
  },
  app: {
    image_tag: '941128203839.dkr.ecr.eu-central-1.amazonaws.com/flowise:latest',
    port_mappings: [{ container_port: 3000 }],
    command: ['pnpm', 'start'],
    env: {
      FLOWISE_PASSWORD: '<REDACTED>',
      DATABASE_NAME: '',
      FLOWISE_USERNAME: '<REDACTED>',
      DATABASE_PATH: '/root/.flowise',
      DATABASE_HOST: '',
      Port: '3000',
    },
    mount_points: [{ source_volume: 'efs-volume', container_path: '/root/.flowise' }],
    log_configuration: {
      log_driver: 'awslogs',
      options: { 'awslogs-group': 'flowise-ld', 'awslogs-region': 'eu-central-1', 'awslogs-stream-prefix': 'flowise' },
    },
  },
  volumes: {
    'efs-volume': { efs_volume_configuration: { file_system_id: 'fs-06ac48d8379275808', transit_encryption: 'ENABLED' } },
  },
}
