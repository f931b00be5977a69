// The original hako's hello-lb-v2 example: hako creates and keeps an internet-facing ALB
// (listeners 80 and 443), its target group and health check, in front of an nginx sidecar
// called 'front' (the container elb_v2 sends traffic to by default), and scales the
// service on CPU and on requests per target.
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
  ) + {
    health_check_grace_period_seconds: 30,
    elb_v2: {
      vpc_id: network.vpc_id,
      health_check_path: '/site/sha',
      listeners: [
        { port: 80, protocol: 'HTTP' },
        {
          port: 443,
          protocol: 'HTTPS',
          certificate_arn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-hello-lb-v2',
        },
      ],
      subnets: network.public_subnets,
      security_groups: network.alb_security_groups,
      load_balancer_attributes: {
        'idle_timeout.timeout_seconds': '120',
      },
      target_group_attributes: {
        'deregistration_delay.timeout_seconds': '20',
      },
    },
    autoscaling: {
      min_capacity: 2,
      max_capacity: 8,
      policies: [
        {
          policy_type: 'target_tracking',
          predefined_metric_type: 'ECSServiceAverageCPUUtilization',
          target_value: 60,
          scale_in_cooldown: 300,
          scale_out_cooldown: 60,
        },
        {
          policy_type: 'target_tracking',
          predefined_metric_type: 'ALBRequestCountPerTarget',
          target_value: 1000,
        },
      ],
    },
  },
  app: {
    image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/hello-sinatra',
    tag: 'v1.0.0',
    memory: 768,
    cpu: 384,
    env: { PORT: '3000' },
    port_mappings: [{ container_port: 3000 }],
    log_configuration: hako.awslogs(),
  },
  sidecars: {
    front: {
      image_tag: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      memory: 128,
      cpu: 128,
      port_mappings: [{ container_port: 80 }],
      log_configuration: hako.awslogs(stream_prefix='front'),
    },
  },
}
