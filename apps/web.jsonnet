// A Fargate web service: the app behind an nginx front sidecar, logs in CloudWatch.
local hako = import 'hako.libsonnet';
local network = import 'lib/network.libsonnet';

{
  scheduler: hako.fargate(
    cluster=network.cluster,
    subnets=network.subnets,
    security_groups=network.security_groups,
    cpu=512,
    memory=1024,
    desired_count=2,
    execution_role_arn=network.execution_role_arn,
    task_role_arn='arn:aws:iam::123456789012:role/web-task',
  ) + {
    deployment_configuration: {
      maximum_percent: 200,
      minimum_healthy_percent: 100,
      deployment_circuit_breaker: { enable: true, rollback: true },
    },
    health_check_grace_period_seconds: 30,
    enable_execute_command: true,
    tags: { team: 'web', service: std.extVar('appId') },
  },
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web',
    tag: 'v1.4.2',
    cpu: 384,
    memory: 768,
    command: ['bundle', 'exec', 'puma', '-C', 'config/puma.rb'],
    env: {
      RAILS_ENV: 'production',
      PORT: '3000',
      RAILS_LOG_TO_STDOUT: '1',
    },
    secrets: [
      hako.secret('DATABASE_URL'),
      hako.secretsManager('SECRET_KEY_BASE', 'web/rails', 'secret_key_base'),
    ],
    port_mappings: [{ container_port: 3000, protocol: 'tcp' }],
    health_check: {
      command: ['CMD-SHELL', 'curl -fsS http://localhost:3000/health || exit 1'],
      interval: 10,
      timeout: 5,
      retries: 3,
      start_period: 30,
    },
    log_configuration: hako.awslogs(),
    stop_timeout: 30,
    docker_labels: { 'com.example.team': 'web' },
  },
  sidecars: {
    front: {
      image_tag: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      cpu: 128,
      memory: 128,
      essential: true,
      port_mappings: [{ container_port: 80, protocol: 'tcp' }],
      depends_on: [{ container_name: 'app', condition: 'HEALTHY' }],
      log_configuration: hako.awslogs(stream_prefix='front'),
      readonly_root_filesystem: false,
    },
  },
  scripts: [
    { type: 'create_aws_cloud_watch_logs_log_group' },
  ],
}
