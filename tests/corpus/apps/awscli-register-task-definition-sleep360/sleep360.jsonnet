// awscli-register-task-definition-sleep360: the published request (sleep360.json) is
//   {family: sleep360, containerDefinitions: [{name: sleep, image: busybox, cpu: 10,
//    command: [sleep, 360], memory: 10, essential: true}]}
// and this definition renders exactly that, except that hako names its main container `app`
// (the test serves the recorded revision with `sleep` read as `app`).
// Not in the sample: the scheduler's service keys (cluster, desired_count, launch_type,
// propagate_tags) only give `hako deploy` a service to compare; the test serves it as a
// synthetic one built from this file's CreateService request.
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
    image_tag: 'busybox',
    cpu: 10,
    command: ['sleep', '360'],
    memory: 10,
    essential: true,
  },
}
