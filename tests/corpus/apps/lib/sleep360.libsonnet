// The task part of services whose own task definition is not in the corpus and that do not
// run on Fargate: the container of the sleep360 request published in the AWS CLI's
// register-task-definition.rst (task_definitions/awscli-register-task-definition-sleep360.json).
// Only the container name differs: hako's main container is `app` (the request's is `sleep`).
{
  app: {
    image_tag: 'busybox',
    cpu: 10,
    command: ['sleep', '360'],
    memory: 10,
    essential: true,
  },
}
