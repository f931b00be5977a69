// An EC2-launch-type service with bridge networking, dynamic host ports, volumes and
// ulimits: the shape of many services migrated from the original hako.
local hako = import 'hako.libsonnet';

{
  scheduler: {
    type: 'ecs',
    region: 'ap-northeast-1',
    cluster: 'ec2-cluster',
    desired_count: 2,
    launch_type: 'EC2',
    network_mode: 'bridge',
    task_role_arn: 'arn:aws:iam::123456789012:role/legacy-task',
    deployment_configuration: { maximum_percent: 100, minimum_healthy_percent: 50 },
    placement_constraints: [{ type: 'distinctInstance' }],
    placement_strategy: [{ type: 'spread', field: 'instanceId' }],
  },
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/legacy',
    tag: 'release-42',
    cpu: '512',
    memory: '1024',
    memory_reservation: 768,
    port_mappings: [{ container_port: 8080, host_port: 0, protocol: 'tcp' }],
    env: { JAVA_OPTS: '-Xmx700m', APP_MODE: 'server' },
    secrets: [hako.secret('API_TOKEN')],
    mount_points: [
      { source_volume: 'cache', container_path: '/var/cache/app', read_only: false },
      { source_volume: 'host-logs', container_path: '/var/log/app' },
    ],
    ulimits: [{ name: 'nofile', soft_limit: 65536, hard_limit: 65536 }],
    linux_parameters: { init_process_enabled: true, shared_memory_size: 64 },
    user: '1000:1000',
    working_directory: '/srv/app',
    log_configuration: {
      log_driver: 'json-file',
      options: { 'max-size': '10m', 'max-file': '3' },
    },
    system_controls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
  },
  sidecars: {
    'log-router': {
      image_tag: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
      memory_reservation: 64,
      essential: true,
      firelens_configuration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
    },
  },
  volumes: {
    cache: { docker_volume_configuration: { scope: 'task', driver: 'local' } },
    'host-logs': { source_path: '/var/log/legacy' },
  },
}
