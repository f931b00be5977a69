// repo-describe-services-daemon-ec2: a DAEMON service on EC2 (2020); its CreateService request
// was not published. Reconstructed from the described state without what ECS fills in
// (docs/ecs-defaults.md §3: launchType EC2 when none is sent, DAEMON maximumPercent 100 /
// minimumHealthyPercent 0, desiredCount managed by ECS). propagateTags 'NONE': hako always
// sends one. The task part (avc-fronttask:3 is not in the corpus) follows the recorded task
// of this service (tasks/repo-describe-tasks-ec2-daemon-task.json): its image, memory 64 and
// the port binding 80 -> 80.
{
  scheduler: {
    type: 'ecs',
    region: 'eu-west-2',
    cluster: 'avc',
    scheduling_strategy: 'DAEMON',
    propagate_tags: 'NONE',
  },
  app: {
    image_tag: '486699961018.dkr.ecr.eu-west-2.amazonaws.com/avc-frontend',
    memory: 64,
    port_mappings: [{ container_port: 80, host_port: 80 }],
  },
}
