// The task part of services whose own task definition is not in the corpus and that run on
// Fargate: the register-task-definition input of the ECS Developer Guide's Fargate tutorial
// (family sample-fargate, revision 1), recorded in
// services/devguide-describe-services-fargate-tutorial.json as
// request.related_register_task_definition_input. Only the container name differs: hako's
// main container is `app` (the tutorial's is `fargate-app`).
{
  scheduler: {
    network_mode: 'awsvpc',
    requires_compatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
  },
  app: {
    image_tag: 'public.ecr.aws/docker/library/httpd:latest',
    port_mappings: [{ container_port: 80, host_port: 80, protocol: 'tcp' }],
    essential: true,
    entry_point: ['sh', '-c'],
    command: ["/bin/sh -c \"echo '<html> <head> <title>Amazon ECS Sample App</title> <style>body {margin-top: 40px; background-color: #333;} </style> </head><body> <div style=color:white;text-align:center> <h1>Amazon ECS Sample App</h1> <h2>Congratulations!</h2> <p>Your application is now running on a container in Amazon ECS.</p> </div></body></html>' >  /usr/local/apache2/htdocs/index.html && httpd-foreground\""],
  },
}
