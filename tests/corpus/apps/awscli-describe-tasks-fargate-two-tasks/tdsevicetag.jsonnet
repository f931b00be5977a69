// awscli-describe-tasks-fargate-two-tasks: two RUNNING Fargate tasks of service tdsevicetag in
// MyCluster. Neither the service nor its task definition is in the corpus: this definition
// only lets `hako status` ask for that service, which the test serves as a synthetic one. The
// container and task sizes follow the recorded tasks (nginx, cpu 99, memory 100; task 256/512).
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'MyCluster',
    desired_count: 2,
    launch_type: 'FARGATE',
    network_mode: 'awsvpc',
    requires_compatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    network_configuration: { awsvpc_configuration: { subnets: ['subnet-0d0eab1bb3EXAMPLE'] } },
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: 'nginx',
    cpu: 99,
    memory: 100,
  },
}
