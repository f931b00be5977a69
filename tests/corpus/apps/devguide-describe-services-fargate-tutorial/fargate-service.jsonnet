// devguide-describe-services-fargate-tutorial: the tutorial's commands are
//   aws ecs create-service --cluster fargate-cluster --service-name fargate-service
//     --task-definition sample-fargate:1 --desired-count 1 --launch-type "FARGATE"
//     --network-configuration "awsvpcConfiguration={subnets=[subnet-abcd1234],securityGroups=[sg-abcd1234]}"
// plus the sample-fargate register input (lib/sample-fargate.libsonnet). This definition
// renders them, except: hako's family is the service name (fargate-service, not
// sample-fargate), hako always sends propagateTags ('NONE', what ECS stored), and
// desired_count is 2: the published output says 2 (it was not captured from the commands
// shown, INDEX.md §3), and the unchanged case must match what ECS reports.
// The ARNs in the output hold the tutorial's placeholders 'region' and 'aws_account_id'.
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'fargate-cluster',
    desired_count: 2,
    launch_type: 'FARGATE',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-abcd1234'], security_groups: ['sg-abcd1234'] } },
    propagate_tags: 'NONE',
  },
}
