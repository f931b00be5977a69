// botocore-register-task-definition-sleep360: the published request is
//   {family: sleep360, taskRoleArn: "", volumes: [],
//    containerDefinitions: [{name: sleep, command: [sleep, 360], cpu: 10, essential: true,
//    image: busybox, memory: 10}]}
// This definition renders it, except: the main container is `app` (served with `sleep` read
// as `app`), and `volumes: []` is not sent (hako never sends an empty list).
// The recorded response has no taskRoleArn: ECS dropped the empty string.
// Not in the sample: the scheduler's service keys (see the awscli sleep360 definition).
{
  scheduler: {
    type: 'ecs',
    region: 'us-east-1',
    cluster: 'default',
    desired_count: 1,
    launch_type: 'EC2',
    propagate_tags: 'NONE',
    task_role_arn: '',
  },
  app: {
    image_tag: 'busybox',
    command: ['sleep', '360'],
    cpu: 10,
    essential: true,
    memory: 10,
  },
}
