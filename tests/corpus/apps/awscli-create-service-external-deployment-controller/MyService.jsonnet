// awscli-create-service-external-deployment-controller: the published command is
//   aws ecs create-service --cluster MyCluster --service-name MyService
//     --deployment-controller type=EXTERNAL --desired-count 1
// and this definition renders that CreateService request, except: hako always sends a
// taskDefinition (its family) and propagateTags ('NONE', what ECS stored). An EXTERNAL
// service has no task definition of its own (its task sets do), so the recorded service
// has no taskDefinition. The task part is lib/sleep360.libsonnet.
(import '../lib/sleep360.libsonnet') + {
  scheduler: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'MyCluster',
    deployment_controller: { type: 'EXTERNAL' },
    desired_count: 1,
    propagate_tags: 'NONE',
  },
}
