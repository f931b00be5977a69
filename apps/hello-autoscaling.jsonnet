// The original hako's hello-autoscaling example: step scaling on two CloudWatch alarms
// (hako points each alarm's action at its policy), behind a target group managed
// elsewhere and attached by name.
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
    load_balancers: [
      { target_group_name: 'hello-autoscaling', container_name: 'app', container_port: 3000 },
    ],
    autoscaling: {
      min_capacity: 1,
      max_capacity: 4,
      policies: [
        // Add one task while ecs-scaling-out-hello-autoscaling is in alarm
        {
          alarms: ['ecs-scaling-out-hello-autoscaling'],
          cooldown: 300,
          adjustment_type: 'ChangeInCapacity',
          scaling_adjustment: 1,
          metric_interval_lower_bound: 0,
          metric_aggregation_type: 'Average',
        },
        // Remove one task while ecs-scaling-in-hello-autoscaling is in alarm
        {
          alarms: ['ecs-scaling-in-hello-autoscaling'],
          cooldown: 300,
          adjustment_type: 'ChangeInCapacity',
          scaling_adjustment: -1,
          metric_interval_upper_bound: 0,
          metric_aggregation_type: 'Average',
        },
      ],
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
