// awscli-describe-tasks-ec2-running: a RUNNING EC2 task of service testupdate in MyCluster.
// Neither the service nor its task definition is in the corpus: this definition only lets
// `hako status` ask for that service, which the test serves as a synthetic one. The container
// follows the recorded task (image httpd:2.4, cpu 10, memory 300, port binding 80 -> 80).
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'MyCluster',
    desired_count: 1,
    launch_type: 'EC2',
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: 'httpd:2.4',
    cpu: 10,
    memory: 300,
    port_mappings: [{ container_port: 80, host_port: 80 }],
  },
}
