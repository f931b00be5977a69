// The original hako's hello-internal-nlb example: an internal network load balancer
// (TCP 80) that hako creates in front of the app's port 3000.
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
    elb_v2: {
      type: 'network',
      scheme: 'internal',
      vpc_id: network.vpc_id,
      subnets: network.subnets,
      listeners: [{ port: 80, protocol: 'TCP' }],
      container_name: 'app',
      container_port: 3000,
    },
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
