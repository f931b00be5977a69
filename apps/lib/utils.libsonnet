// The team library: every batch definition imports it, as in the talk's slide.
local hako = import 'hako.libsonnet';
local network = import 'network.libsonnet';

{
  // secret('DB_PASSWORD') reads SSM parameter /hako/<appId>/DB_PASSWORD.
  secret(name):: hako.secret(name),

  // The scripts entry that resolves the image tag from the Jenkins job's last successful build.
  jenkinsTag(job):: { type: 'jenkins_tag', job: job },

  // A Fargate scheduler in the team's cluster and subnets.
  batchScheduler(cpu, memory):: hako.fargate(
    cluster=network.cluster,
    subnets=network.subnets,
    security_groups=network.security_groups,
    cpu=cpu,
    memory=memory,
    execution_role_arn=network.execution_role_arn,
  ),

  logs:: hako.awslogs(),
}
