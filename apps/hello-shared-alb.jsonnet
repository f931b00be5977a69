// The original hako's hello-shared-alb example: the load balancer 'shared-alb' belongs to
// the platform team; hako creates only this app's target group and a listener rule that
// routes hello.example.com to it.
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
      load_balancer_name: 'shared-alb',
      vpc_id: network.vpc_id,
      health_check_path: '/site/sha',
      container_name: 'app',
      container_port: 3000,
      listener_rule: { port: 443, priority: 120, host_header: ['hello.example.com'] },
      target_group_attributes: {
        'deregistration_delay.timeout_seconds': '20',
      },
    },
  },
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/hello-sinatra',
    tag: 'v1.0.0',
    memory: 512,
    env: { PORT: '3000' },
    secrets: [hako.secret('MESSAGE')],
    port_mappings: [{ container_port: 3000 }],
    log_configuration: hako.awslogs(),
  },
}
