// awscli-describe-services-my-http-service-legacy: a 2016 service in the default cluster;
// its CreateService request was not published. Reconstructed from the described state
// (desiredCount 10, nothing else set). propagateTags 'NONE': hako always sends one, and NONE
// is ECS's default. The task part is lib/sleep360.libsonnet (amazon-ecs-sample:1 is not in
// the corpus).
(import '../lib/sleep360.libsonnet') + {
  scheduler: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'default',
    desired_count: 10,
    propagate_tags: 'NONE',
  },
}
