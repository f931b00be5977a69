// repo-update-service-2026-rolling-strategy-alb: the state after
//   aws ecs update-service --cluster retail-store-ecs-cluster --service ui
//     --task-definition retail-store-ecs-ui --enable-execute-command --force-new-deployment
// (2026). The CreateService request was not published. Reconstructed from the state without
// what ECS fills in (docs/ecs-defaults.md §3: platformVersion LATEST, assignPublicIp DISABLED,
// maximumPercent/minimumHealthyPercent, the circuit breaker off, strategy ROLLING,
// bakeTimeInMinutes 0, availabilityZoneRebalancing ENABLED). Kept: the target group, the
// grace period of 30 s, enableExecuteCommand (the update sent it). propagateTags 'NONE':
// hako always sends one. The load balancer's container is `app` (recorded as `application`).
// The task part is lib/sample-fargate.libsonnet with its port set to 8080, the port the
// recorded load balancer sends to (retail-store-ecs-ui:4 is not in the corpus).
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'ap-northeast-3',
    cluster: 'retail-store-ecs-cluster',
    desired_count: 2,
    launch_type: 'FARGATE',
    network_configuration: {
      awsvpc_configuration: {
        subnets: ['subnet-070fc8b7200cdf7bb', 'subnet-06d97f13d5fa2d612'],
        security_groups: ['sg-0c092c5ec3f4e4c45'],
      },
    },
    load_balancers: [{
      target_group_arn: 'arn:aws:elasticloadbalancing:ap-northeast-3:802104112480:targetgroup/BlueTargetGroup/d981484920c49db1',
      container_name: 'app',
      container_port: 8080,
    }],
    health_check_grace_period_seconds: 30,
    enable_execute_command: true,
    propagate_tags: 'NONE',
  },
  app+: { port_mappings: [{ container_port: 8080, host_port: 8080, protocol: 'tcp' }] },
}
