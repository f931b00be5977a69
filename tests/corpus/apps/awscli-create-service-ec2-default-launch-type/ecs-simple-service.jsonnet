// awscli-create-service-ec2-default-launch-type: the published command is
//   aws ecs create-service --cluster MyCluster --service-name ecs-simple-service
//     --task-definition sleep360:2 --desired-count 1
// and this definition renders that CreateService request, except: hako's taskDefinition is
// its own family, and hako always sends propagateTags ('NONE', what ECS stored).
// No launch type was sent; ECS reports launchType EC2 (docs/ecs-defaults.md §3 launchType).
// The task part is lib/sleep360.libsonnet (sleep360:2 is not in the corpus).
(import '../lib/sleep360.libsonnet') + {
  scheduler: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'MyCluster',
    desired_count: 1,
    propagate_tags: 'NONE',
  },
}
