// botocore-describe-services-placement-failure: a 2016 service in the default cluster; its
// CreateService request was not published. Reconstructed from the described state
// (desiredCount 1; maximumPercent 200 / minimumHealthyPercent 100 are ECS's defaults,
// docs/ecs-defaults.md §3). propagateTags 'NONE': hako always sends one. The task part is
// lib/sleep360.libsonnet (hello_world:6 is not in the corpus; revision 8 is).
(import '../lib/sleep360.libsonnet') + {
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'default',
    desired_count: 1,
    propagate_tags: 'NONE',
  },
}
