// The original hako's hello-service-discovery example: each task is registered in Cloud
// Map as an SRV record of hello-service-discovery.internal.local (namespace given by name;
// namespace_id works too).
local hako = import 'hako.libsonnet';
local network = import 'lib/network.libsonnet';

{
  scheduler: hako.fargate(
    cluster=network.cluster,
    subnets=network.subnets,
    security_groups=network.security_groups,
    desired_count=2,
    execution_role_arn=network.execution_role_arn,
  ) + {
    service_discovery: [
      {
        container_name: 'app',
        container_port: 3000,
        service: {
          name: 'hello-service-discovery',
          namespace: 'internal.local',
          dns_config: { dns_records: [{ type: 'SRV', ttl: 60 }] },
          health_check_custom_config: { failure_threshold: 1 },
        },
      },
    ],
  },
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/hello-sinatra',
    tag: 'v1.0.0',
    memory: 512,
    env: { PORT: '3000' },
    port_mappings: [{ container_port: 3000 }],
    log_configuration: hako.awslogs(),
  },
}
