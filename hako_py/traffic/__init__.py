"""Traffic and scaling around an app's ECS service: ELBv2 load balancers and target groups,
Cloud Map discovery services and Application Auto Scaling, declared in the scheduler and
kept by ``hako deploy`` (plan -> apply), shown by ``status``, removed by ``remove``."""
