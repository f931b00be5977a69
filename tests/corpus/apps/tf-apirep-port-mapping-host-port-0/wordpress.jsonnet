// tf-apirep-port-mapping-host-port-0: terraform-provider-aws's record of what ECS returns for
// the container definitions
//   [{name: wordpress, image: wordpress, essential: true, portMappings: [{containerPort: 80}],
//     memory: 500, cpu: 10}]
// and this definition renders exactly those, except that the main container is `app`. The
// fragment has no family: the file is named after its container. The test wraps the recorded
// containers in a task definition with only documented task-level fill-ins.
// Not in the sample: the scheduler's service keys, served as a synthetic service.
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'EC2',
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: 'wordpress',
    essential: true,
    port_mappings: [{ container_port: 80 }],
    memory: 500,
    cpu: 10,
  },
}
