// awscli-create-service-fargate: the published command is
//   aws ecs create-service --cluster MyCluster --service-name MyService
//     --task-definition sample-fargate:1 --desired-count 2 --launch-type FARGATE
//     --platform-version LATEST --network-configuration 'awsvpcConfiguration={subnets=[subnet-12344321],
//     securityGroups=[sg-12344321],assignPublicIp=ENABLED}' --tags key=key1,value=value1 ...
// and this definition renders that CreateService request, except: hako's taskDefinition is
// its own family (MyService), and hako always sends propagateTags (here 'NONE', what ECS
// stored for the omitted field; hako's own default would be TASK_DEFINITION). The service's
// tags are service_tags: scheduler tags tag the task definition, as in the original hako.
// The task part is lib/sample-fargate.libsonnet (sample-fargate:1 is not in the corpus).
(import '../lib/sample-fargate.libsonnet') + {
  scheduler+: {
    type: 'ecs',
    region: 'us-west-2',
    cluster: 'MyCluster',
    desired_count: 2,
    launch_type: 'FARGATE',
    platform_version: 'LATEST',
    network_configuration: {
      awsvpc_configuration: { subnets: ['subnet-12344321'], security_groups: ['sg-12344321'], assign_public_ip: 'ENABLED' },
    },
    service_tags: { key1: 'value1', key2: 'value2', key3: 'value3' },
    propagate_tags: 'NONE',
  },
}
